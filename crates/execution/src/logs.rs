//! Log filters and blooms (Yellow Paper §4.3.1: `M3:2048`, three 11-bit indices from
//! `keccak256` of each address and topic).
//!
//! A block's `logsBloom` covers every log address and topic of the block, so a filter whose
//! address set or any topic position has no member in the bloom cannot match the block. A
//! bloom can give false positives, never false negatives: it decides which blocks to skip, and
//! the receipts of every other block must be checked in full.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, Bloom, BloomInput, Log};

/// An `eth_getLogs` filter over addresses and up to four topic positions; an empty set matches
/// anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// The log's address must be one of these (any when empty).
    pub addresses: Vec<Address>,
    /// Topic `i` must be one of `topics[i]` (any when empty).
    pub topics: [Vec<B256>; 4],
}

impl LogFilter {
    /// Whether `log` matches the filter.
    pub fn matches(&self, log: &Log) -> bool {
        if !self.addresses.is_empty() && !self.addresses.contains(&log.address) {
            return false;
        }
        let topics = log.topics();
        self.topics.iter().enumerate().all(|(i, wanted)| {
            wanted.is_empty() || topics.get(i).is_some_and(|t| wanted.contains(t))
        })
    }
}

/// Whether a block with `bloom` can contain a log matching `filter`.
pub fn bloom_may_match(bloom: &Bloom, filter: &LogFilter) -> bool {
    let any_address = filter.addresses.is_empty()
        || filter.addresses.iter().any(|a| bloom.contains_input(BloomInput::Raw(a.as_slice())));
    any_address
        && filter.topics.iter().all(|wanted| {
            wanted.is_empty()
                || wanted.iter().any(|t| bloom.contains_input(BloomInput::Raw(t.as_slice())))
        })
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Bytes, LogData};

    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn log(address: u8, topics: &[u8]) -> Log {
        Log {
            address: Address::repeat_byte(address),
            data: LogData::new_unchecked(
                topics.iter().map(|t| B256::repeat_byte(*t)).collect(),
                Bytes::new(),
            ),
        }
    }

    fn bloom_of(logs: &[Log]) -> Bloom {
        let mut bloom = Bloom::default();
        for l in logs {
            bloom.accrue_log(l);
        }
        bloom
    }

    #[test]
    fn filters_match_by_address_and_topic_position() {
        let l = log(1, &[10, 11]);
        assert!(LogFilter::default().matches(&l));
        let by_address =
            LogFilter { addresses: alloc::vec![Address::repeat_byte(1)], ..Default::default() };
        assert!(by_address.matches(&l));
        let other =
            LogFilter { addresses: alloc::vec![Address::repeat_byte(2)], ..Default::default() };
        assert!(!other.matches(&l));
        let mut topic1 = LogFilter::default();
        topic1.topics[1] = alloc::vec![B256::repeat_byte(11)];
        assert!(topic1.matches(&l));
        topic1.topics[1] = alloc::vec![B256::repeat_byte(10)];
        assert!(!topic1.matches(&l), "topic 10 is at position 0, not 1");
        let mut topic3 = LogFilter::default();
        topic3.topics[3] = alloc::vec![B256::repeat_byte(11)];
        assert!(!topic3.matches(&l), "the log has no fourth topic");
    }

    #[test]
    fn blooms_never_give_false_negatives() {
        let logs = [log(1, &[10, 11]), log(2, &[12])];
        let bloom = bloom_of(&logs);
        for l in &logs {
            let mut f = LogFilter { addresses: alloc::vec![l.address], ..Default::default() };
            f.topics[0] = alloc::vec![l.topics()[0]];
            assert!(bloom_may_match(&bloom, &f));
        }
        let absent =
            LogFilter { addresses: alloc::vec![Address::repeat_byte(3)], ..Default::default() };
        assert!(!bloom_may_match(&bloom, &absent));
        let mut absent_topic = LogFilter::default();
        absent_topic.topics[0] = alloc::vec![B256::repeat_byte(99)];
        assert!(!bloom_may_match(&bloom, &absent_topic));
        assert!(!bloom_may_match(
            &Bloom::default(),
            &LogFilter { addresses: alloc::vec![Address::repeat_byte(1)], ..Default::default() }
        ));
        assert!(bloom_may_match(&Bloom::default(), &LogFilter::default()));
    }
}
