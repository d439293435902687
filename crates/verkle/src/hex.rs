//! Minimal hex decoding (no allocation for fixed sizes).

use alloc::vec::Vec;

use crate::error::{Error, Result};

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => c.checked_sub(b'0'),
        b'a'..=b'f' => c.checked_sub(b'a' - 10),
        b'A'..=b'F' => c.checked_sub(b'A' - 10),
        _ => None,
    }
}

fn strip(text: &str) -> &str {
    text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text)
}

/// Decodes hex (optionally `0x`-prefixed) of any even length.
pub(crate) fn decode_vec(text: &str, what: &'static str) -> Result<Vec<u8>> {
    let digits = strip(text).as_bytes();
    if !digits.len().is_multiple_of(2) {
        return Err(Error::InvalidHex { what });
    }
    digits
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => match (nibble(*hi), nibble(*lo)) {
                (Some(h), Some(l)) => Ok((h << 4) | l),
                _ => Err(Error::InvalidHex { what }),
            },
            _ => Err(Error::InvalidHex { what }),
        })
        .collect()
}

/// Decodes hex of exactly `N` bytes.
pub(crate) fn decode_array<const N: usize>(text: &str, what: &'static str) -> Result<[u8; N]> {
    let bytes = decode_vec(text, what)?;
    let got = bytes.len();
    bytes.try_into().map_err(|_| Error::WrongLength { what, expected: N, got })
}
