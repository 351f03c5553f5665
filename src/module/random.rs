//! Random number generation (PKCS#11 3.1 section 5.15).
use super::Module;
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::random_bytes;
use crate::rv::CkResult;

/// Largest single C_GenerateRandom request (crypto.getRandomValues
/// limits one call to 64 KiB; `random_bytes` loops, this bounds memory).
const MAX_RANDOM: usize = 1 << 24;

impl Module {
    /// C_SeedRandom (5.15.1): the platform CSPRNG cannot be seeded, so
    /// this is CKR_RANDOM_SEED_NOT_SUPPORTED, as the spec provides.
    pub fn seed_random(&mut self, h: CK_ULONG, _seed: &[u8]) -> CkResult<()> {
        self.session(h)?;
        Err(CKR_RANDOM_SEED_NOT_SUPPORTED)
    }

    /// C_GenerateRandom (5.15.2).
    pub fn generate_random(&mut self, h: CK_ULONG, len: usize) -> CkResult<Vec<u8>> {
        self.session(h)?;
        if len > MAX_RANDOM {
            return Err(CKR_ARGUMENTS_BAD);
        }
        Ok(random_bytes(len)?.to_vec())
    }
}
