//! CKA_UNIQUE_ID values (PKCS#11 3.1 4.4.1: unique on the token, set by
//! the token at creation): 16 random bytes as 32 lowercase hex digits.
//! The bytes come from a pool refilled 1 KiB at a time: in wasm each
//! platform-RNG call is a round trip into JS (crypto.getRandomValues),
//! ~1.5 µs, paid once per 64 objects rather than per object. The IDs are
//! public attributes, so the pool holds nothing secret.
use std::cell::RefCell;

use crate::rv::CkResult;

const ID_BYTES: usize = 16;
const POOL_BYTES: usize = 64 * ID_BYTES;

thread_local! {
    /// Random bytes not yet handed out: pool[used..].
    static POOL: RefCell<([u8; POOL_BYTES], usize)> = const { RefCell::new(([0; POOL_BYTES], POOL_BYTES)) };
}

/// A fresh CKA_UNIQUE_ID value.
pub(super) fn unique_id() -> CkResult<Vec<u8>> {
    POOL.with_borrow_mut(|(pool, used)| {
        if *used == POOL_BYTES {
            pool.copy_from_slice(&crate::mech::random_bytes(POOL_BYTES)?);
            *used = 0;
        }
        let id = &pool[*used..*used + ID_BYTES];
        *used += ID_BYTES;
        const HEX: &[u8; 16] = b"0123456789abcdef";
        Ok(id
            .iter()
            .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
            .collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 32 hex digits, all distinct over more than one pool refill.
    #[test]
    fn ids_are_hex_and_distinct() {
        let ids: std::collections::BTreeSet<Vec<u8>> =
            (0..200).map(|_| unique_id().unwrap()).collect();
        assert_eq!(ids.len(), 200);
        assert!(
            ids.iter()
                .all(|id| id.len() == 32 && id.iter().all(u8::is_ascii_hexdigit))
        );
        assert!(ids.iter().all(|id| !id.iter().any(u8::is_ascii_uppercase)));
    }
}
