//! Minimal DER: what EC parameters, points and the RFC 8410 key encodings
//! need. Definite, minimal lengths only; anything else is rejected.

/// One DER TLV that spans all of `b`: (tag, contents).
pub(crate) fn tlv(b: &[u8]) -> Option<(u8, &[u8])> {
    let (tag, contents, rest) = tlv_prefix(b)?;
    rest.is_empty().then_some((tag, contents))
}

/// The first DER TLV of `b`: (tag, contents, what follows).
pub(crate) fn tlv_prefix(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (len_bytes, rest) = rest.split_at(n);
        if len_bytes.first() == Some(&0) {
            return None;
        }
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, &x| (acc << 8) | x as usize);
        if len < 0x80 {
            return None;
        }
        (len, rest)
    };
    if rest.len() < len {
        return None;
    }
    let (contents, rest) = rest.split_at(len);
    Some((tag, contents, rest))
}

/// DER encoding of `tag` around `content`.
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// DER OCTET STRING of `content`.
pub(crate) fn octet_string(content: &[u8]) -> Vec<u8> {
    encode(0x04, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_helpers() {
        assert_eq!(tlv(&[0x04, 0x02, 1, 2]), Some((0x04, &[1u8, 2][..])));
        assert_eq!(tlv(&[0x04, 0x02, 1]), None);
        assert_eq!(tlv(&[0x04, 0x02, 1, 2, 3]), None);
        assert_eq!(
            tlv_prefix(&[0x04, 0x02, 1, 2, 3]),
            Some((0x04, &[1u8, 2][..], &[3u8][..]))
        );
        assert_eq!(
            tlv(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]),
            None,
            "long form for a short length"
        );
        assert_eq!(tlv(&[0x04, 0x80]), None, "indefinite length");
        assert_eq!(tlv(&[0x04, 0x85, 1, 1, 1, 1, 1]), None, "5 length bytes");
        assert_eq!(tlv(&[0x04]), None);
        assert_eq!(tlv(&[]), None);
        let long = vec![7u8; 133];
        let enc = octet_string(&long);
        assert_eq!(&enc[..3], &[0x04, 0x81, 0x85]);
        assert_eq!(tlv(&enc), Some((0x04, &long[..])));
        let longer = vec![7u8; 300];
        let enc = octet_string(&longer);
        assert_eq!(&enc[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(tlv(&enc), Some((0x04, &longer[..])));
        assert_eq!(octet_string(&[1, 2]), vec![4, 2, 1, 2]);
        assert_eq!(encode(0x30, &[]), vec![0x30, 0]);
    }
}
