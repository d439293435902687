//! A reader for the flat YAML dialect of consensus-specs `config.yaml` and preset files.
//!
//! The files are `KEY: value` lines with `#` comments; the only nested value is a list of maps
//! (`BLOB_SCHEDULE`). Values stay strings: fork versions such as `0x01000000` are written
//! unquoted and a general YAML reader would turn them into integers.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::{Error, Result};

/// A value in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigValue {
    /// A scalar, with surrounding quotes removed.
    Scalar(String),
    /// A list of maps, such as `BLOB_SCHEDULE`.
    List(Vec<BTreeMap<String, String>>),
}

/// A parsed config or preset file: key → value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    entries: BTreeMap<String, ConfigValue>,
}

fn strip_comment(line: &str) -> &str {
    let mut in_quote = None;
    for (i, c) in line.char_indices() {
        match (c, in_quote) {
            ('\'' | '"', None) => in_quote = Some(c),
            (q, Some(open)) if q == open => in_quote = None,
            ('#', None) => return line.get(..i).unwrap_or(line),
            _ => {}
        }
    }
    line
}

fn unquote(value: &str) -> &str {
    let v = value.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

fn split_key_value(line: &str, number: usize) -> Result<(&str, &str)> {
    let (key, value) = line
        .split_once(':')
        .ok_or(Error::ConfigSyntax { line: number, reason: "expected `KEY: value`" })?;
    let key = key.trim();
    if key.is_empty() {
        return Err(Error::ConfigSyntax { line: number, reason: "empty key" });
    }
    Ok((key, value.trim()))
}

impl ConfigFile {
    /// Parses the text of a config or preset file.
    pub fn parse(text: &str) -> Result<Self> {
        let mut entries = BTreeMap::new();
        let mut open_list: Option<(String, Vec<BTreeMap<String, String>>)> = None;
        for (index, raw) in text.lines().enumerate() {
            let number = index.saturating_add(1);
            let line = strip_comment(raw);
            if line.trim().is_empty() || line.trim() == "---" {
                continue;
            }
            let indented = line.starts_with([' ', '\t']);
            if indented {
                let Some((_, items)) = open_list.as_mut() else {
                    return Err(Error::ConfigSyntax {
                        line: number,
                        reason: "unexpected indentation",
                    });
                };
                let trimmed = line.trim();
                let (body, new_item) = match trimmed.strip_prefix('-') {
                    Some(rest) => (rest.trim(), true),
                    None => (trimmed, false),
                };
                if new_item {
                    items.push(BTreeMap::new());
                }
                if body.is_empty() {
                    continue;
                }
                let (key, value) = split_key_value(body, number)?;
                let item = items.last_mut().ok_or(Error::ConfigSyntax {
                    line: number,
                    reason: "list field before the first `-`",
                })?;
                item.insert(key.to_string(), unquote(value).to_string());
                continue;
            }
            if let Some((key, items)) = open_list.take() {
                entries.insert(key, ConfigValue::List(items));
            }
            let (key, value) = split_key_value(line, number)?;
            if value.is_empty() {
                open_list = Some((key.to_string(), Vec::new()));
            } else if value == "[]" {
                entries.insert(key.to_string(), ConfigValue::List(Vec::new()));
            } else {
                entries.insert(key.to_string(), ConfigValue::Scalar(unquote(value).to_string()));
            }
        }
        if let Some((key, items)) = open_list.take() {
            entries.insert(key, ConfigValue::List(items));
        }
        Ok(Self { entries })
    }

    /// Merges `other` into `self`; keys in `other` win.
    pub fn merge(&mut self, other: Self) {
        self.entries.extend(other.entries);
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&ConfigValue> {
        self.entries.get(key)
    }

    /// The scalar value of `key`, if present.
    pub fn scalar(&self, key: &str) -> Option<&str> {
        match self.entries.get(key) {
            Some(ConfigValue::Scalar(s)) => Some(s),
            _ => None,
        }
    }

    /// Reads `key` as a decimal `u64`.
    pub fn u64(&self, key: &'static str) -> Result<u64> {
        let value = self.scalar(key).ok_or(Error::ConfigMissingKey(key))?;
        parse_u64(key, value)
    }

    /// Reads `key` as a `0x`-prefixed 4-byte value.
    pub fn bytes4(&self, key: &'static str) -> Result<[u8; 4]> {
        let value = self.scalar(key).ok_or(Error::ConfigMissingKey(key))?;
        parse_hex_array(key, value)
    }
}

pub(crate) fn parse_u64(key: &str, value: &str) -> Result<u64> {
    value
        .parse::<u64>()
        .map_err(|_| Error::ConfigInvalidValue { key: key.to_string(), value: value.to_string() })
}

pub(crate) fn parse_hex_array<const N: usize>(key: &str, value: &str) -> Result<[u8; N]> {
    let invalid = || Error::ConfigInvalidValue { key: key.to_string(), value: value.to_string() };
    let hex = value.strip_prefix("0x").ok_or_else(invalid)?;
    if hex.len() != N.saturating_mul(2) {
        return Err(invalid());
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        let text = core::str::from_utf8(pair).map_err(|_| invalid())?;
        *byte = u8::from_str_radix(text, 16).map_err(|_| invalid())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn parses_scalars_lists_and_unquoted_versions() {
        let text = "# comment\nPRESET_BASE: 'mainnet'\nALTAIR_FORK_VERSION: 0x01000000 # v\n\
                    BLOB_SCHEDULE:\n  - EPOCH: 412672  # Dec\n    MAX_BLOBS_PER_BLOCK: 15\n  - EPOCH: 5\n    MAX_BLOBS_PER_BLOCK: 21\nX: 7\n";
        let cfg = ConfigFile::parse(text).unwrap();
        assert_eq!(cfg.scalar("PRESET_BASE"), Some("mainnet"));
        assert_eq!(cfg.bytes4("ALTAIR_FORK_VERSION").unwrap(), [1, 0, 0, 0]);
        assert_eq!(cfg.u64("X").unwrap(), 7);
        let Some(ConfigValue::List(items)) = cfg.get("BLOB_SCHEDULE") else { panic!() };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1]["MAX_BLOBS_PER_BLOCK"], "21");
    }

    #[test]
    fn rejects_bad_lines() {
        assert!(matches!(ConfigFile::parse("NOCOLON\n"), Err(Error::ConfigSyntax { line: 1, .. })));
        assert!(matches!(ConfigFile::parse("  A: 1\n"), Err(Error::ConfigSyntax { .. })));
        let cfg = ConfigFile::parse("V: 0x0100\n").unwrap();
        assert!(matches!(cfg.bytes4("V"), Err(Error::ConfigInvalidValue { .. })));
        assert!(matches!(cfg.u64("MISSING"), Err(Error::ConfigMissingKey("MISSING"))));
    }
}
