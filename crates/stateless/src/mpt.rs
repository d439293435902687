//! A sparse Merkle-Patricia trie resolved lazily from a witness node pool.
//!
//! Ethereum's hexary Merkle-Patricia trie (Yellow Paper, appendix D) over 32-byte hashed keys:
//! `keccak256(address)` in the state trie, `keccak256(slot)` in a storage trie ([`TrieKey`]).
//!
//! - [`NodePool`] maps `keccak256(node) → node` for the `state` list of a witness. One pool
//!   serves the state trie and every storage trie; extra nodes are harmless.
//! - [`SparseTrie`] starts from a root hash and decodes a node the first time a walk reaches it.
//!   A reference not yet decoded is an explicit stub; a stub the pool cannot resolve makes the
//!   operation fail with [`Error::MissingNode`], so a read answers "absent" only when the trie
//!   proves it: the walk ends at an empty branch slot or at a leaf or extension whose path
//!   diverges from the key.
//! - Writes ([`SparseTrie::insert`], [`SparseTrie::remove`]) keep the trie canonical (a branch
//!   left with one child collapses into that child) and [`SparseTrie::root`] re-hashes only the
//!   nodes on modified paths.
//!
//! # Update order
//!
//! Canonical witnesses (reth `canonical` mode, EIP-8025) carry the minimum sibling set that
//! recomputing the post-state root needs **when inserts and updates are applied before
//! deletes**. A delete that leaves a branch with one child must read that child to merge it
//! upwards; applied first, it may need a sibling that a later insert would have kept in place
//! and that the witness therefore omits. Apply every insert and update of a trie before its
//! deletes ([`SparseTrie::apply`] does this). With all needed nodes present the trie is correct
//! in any order.
//!
//! Nodes are decoded once and keep their reference (hash or inline encoding) until modified;
//! unchanged subtrees are never re-encoded. Untrusted node bytes never cause a panic: any
//! structural defect is an [`Error::MalformedNode`] naming the node's hash (for a node inlined
//! in its parent, the hash of the hashed node that embeds it).

use alloc::{boxed::Box, vec, vec::Vec};
use core::mem;

use alloy_primitives::{Address, B256, Bytes, U256, keccak256, map::B256Map};
use alloy_rlp::{EMPTY_STRING_CODE, Encodable, Header};
use alloy_trie::{EMPTY_ROOT_HASH, nodes::RlpNode};

use crate::{Error, Result};

/// Every key is 32 bytes: 64 nibbles.
const KEY_NIBBLES: usize = 64;

/// A node whose RLP is at least this long is referenced by its hash, shorter ones are inlined.
const HASH_REFERENCE_LEN: usize = 32;

/// The witness node pool: `keccak256(node) → node`.
///
/// Built from the `state` list of `debug_executionWitness` (the state trie and all storage
/// tries in one list). Nodes are looked up by hash, so order, duplicates and extra nodes do not
/// matter. Empty entries and the empty-string node `0x80` are skipped: they are not trie nodes
/// (the empty trie is the root [`EMPTY_ROOT_HASH`], never looked up).
#[derive(Debug, Clone, Default)]
pub struct NodePool {
    nodes: B256Map<Bytes>,
}

impl NodePool {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// Hashes and stores every node of `nodes` (copied).
    pub fn from_nodes<I>(nodes: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let nodes = nodes.into_iter();
        let mut pool = Self {
            nodes: B256Map::with_capacity_and_hasher(nodes.size_hint().0, Default::default()),
        };
        for node in nodes {
            pool.insert(Bytes::copy_from_slice(node.as_ref()));
        }
        pool
    }

    /// Stores `node` under its hash and returns the hash, or `None` for an empty entry or `0x80`
    /// (skipped).
    pub fn insert(&mut self, node: Bytes) -> Option<B256> {
        if node.is_empty() || node.as_ref() == [EMPTY_STRING_CODE] {
            return None;
        }
        let hash = keccak256(&node);
        self.nodes.insert(hash, node);
        Some(hash)
    }

    /// The node whose `keccak256` is `hash`.
    pub fn get(&self, hash: &B256) -> Option<&[u8]> {
        self.nodes.get(hash).map(|node| node.as_ref())
    }

    /// Whether the pool holds the node whose `keccak256` is `hash`.
    pub fn contains(&self, hash: &B256) -> bool {
        self.nodes.contains_key(hash)
    }

    /// Number of distinct nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the pool holds no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// A 32-byte trie key: the `keccak256` of an address (state trie) or of a storage slot (storage
/// trie). A newtype so that an unhashed address or slot cannot be used as a key by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrieKey(B256);

impl TrieKey {
    /// A key that is already hashed.
    pub const fn from_hashed(hashed: B256) -> Self {
        Self(hashed)
    }

    /// The state-trie key of an account: `keccak256(address)`.
    pub fn account(address: &Address) -> Self {
        Self(keccak256(address))
    }

    /// The storage-trie key of a slot: `keccak256(slot as 32 big-endian bytes)`.
    pub fn storage(slot: &U256) -> Self {
        Self(keccak256(slot.to_be_bytes::<32>()))
    }

    /// The hashed key.
    pub const fn hashed(&self) -> B256 {
        self.0
    }

    /// The key as 64 nibbles, high nibble first.
    fn nibbles(&self) -> [u8; KEY_NIBBLES] {
        let mut out = [0u8; KEY_NIBBLES];
        for (pair, byte) in out.chunks_exact_mut(2).zip(self.0.iter()) {
            if let [high, low] = pair {
                *high = byte >> 4;
                *low = byte & 0x0f;
            }
        }
        out
    }
}

/// A sparse Merkle-Patricia trie over 32-byte keys, resolved lazily from a [`NodePool`].
///
/// Every operation takes the pool it resolves from; the trie itself holds only the part
/// decoded so far. See the [module documentation](self) for the update order.
///
/// After an error the trie is unchanged: resolution only replaces a stub by its decoded
/// content, and writes check everything they need before modifying anything.
#[derive(Debug, Clone, Default)]
pub struct SparseTrie {
    root: Node,
}

impl SparseTrie {
    /// The trie committed to by `root`; [`EMPTY_ROOT_HASH`] is the empty trie.
    pub fn new(root: B256) -> Self {
        let root = if root == EMPTY_ROOT_HASH { Node::Empty } else { Node::Stub(root) };
        Self { root }
    }

    /// The empty trie.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The value stored under `key`, or `None` when the trie proves the key absent.
    ///
    /// # Errors
    /// [`Error::MissingNode`] when the walk reaches a node the pool lacks,
    /// [`Error::MalformedNode`] when a node on the walk is not a valid trie node.
    pub fn get(&mut self, pool: &NodePool, key: &TrieKey) -> Result<Option<Vec<u8>>> {
        let key = key.nibbles();
        let mut node = &mut self.root;
        let mut depth = 0usize;
        let mut parent_is_extension = false;
        loop {
            resolve(node, pool, depth, parent_is_extension)?;
            let rest = key.get(depth..).unwrap_or_default();
            match node {
                Node::Empty => return Ok(None),
                Node::Stub(hash) => return Err(Error::MissingNode(*hash)),
                Node::Leaf(leaf) => {
                    return Ok((leaf.path == rest).then(|| leaf.value.clone()));
                }
                Node::Extension(extension) => {
                    if !rest.starts_with(&extension.path) {
                        return Ok(None);
                    }
                    depth = depth.saturating_add(extension.path.len());
                    parent_is_extension = true;
                    node = &mut extension.child;
                }
                Node::Branch(branch) => {
                    // Keys end at leaves and branches carry no values: an exhausted key cannot
                    // be in the trie.
                    let Some(&nibble) = rest.first() else { return Ok(None) };
                    depth = depth.saturating_add(1);
                    parent_is_extension = false;
                    node = branch.child_mut(nibble)?;
                }
            }
        }
    }

    /// Stores `value` under `key`, replacing any previous value. An empty `value` removes the key
    /// (as Ethereum clients' trie updates do: the trie never stores empty values).
    ///
    /// # Errors
    /// [`Error::MissingNode`] / [`Error::MalformedNode`] when a node on the key's path cannot be
    /// resolved; the trie is then unchanged.
    pub fn insert(&mut self, pool: &NodePool, key: &TrieKey, value: &[u8]) -> Result<()> {
        if value.is_empty() {
            return self.remove(pool, key).map(|_| ());
        }
        insert_at(&mut self.root, pool, &key.nibbles(), 0, false, value).map(|_| ())
    }

    /// Removes `key`; returns whether it was present (absence is proven, as for [`Self::get`]).
    ///
    /// A branch left with one child is merged with that child, which must then be resolved:
    /// if the pool lacks it this is [`Error::MissingNode`] (see the update order in the
    /// [module documentation](self)).
    ///
    /// # Errors
    /// [`Error::MissingNode`] / [`Error::MalformedNode`] when a node on the key's path, or the
    /// sibling a collapse needs, cannot be resolved; the trie is then unchanged.
    pub fn remove(&mut self, pool: &NodePool, key: &TrieKey) -> Result<bool> {
        remove_at(&mut self.root, pool, &key.nibbles(), 0, false)
    }

    /// Applies a batch of changes in the order canonical witnesses assume: every insert and
    /// update (`Some` non-empty value) first, then every delete (`None` or an empty value).
    ///
    /// # Errors
    /// As [`Self::insert`] and [`Self::remove`]; the changes applied before the failing one stay
    /// applied.
    pub fn apply<I>(&mut self, pool: &NodePool, changes: I) -> Result<()>
    where
        I: IntoIterator<Item = (TrieKey, Option<Vec<u8>>)>,
    {
        let mut deletes = Vec::new();
        for (key, value) in changes {
            match value {
                Some(value) if !value.is_empty() => self.insert(pool, &key, &value)?,
                _ => deletes.push(key),
            }
        }
        for key in &deletes {
            self.remove(pool, key)?;
        }
        Ok(())
    }

    /// The root hash. Only nodes changed since the last call are re-encoded and re-hashed.
    pub fn root(&mut self) -> B256 {
        match &mut self.root {
            Node::Empty => EMPTY_ROOT_HASH,
            Node::Stub(hash) => *hash,
            node => {
                let mut buf = Vec::with_capacity(600);
                let reference = node_ref(node, &mut buf);
                // The root is always hashed, even when its encoding is shorter than 32 bytes.
                reference.as_hash().unwrap_or_else(|| keccak256(reference.as_slice()))
            }
        }
    }
}

/// A trie node. Decoded nodes and nodes built by writes share one representation; `cached`
/// holds the node's reference (its RLP if shorter than 32 bytes, else `rlp(keccak(rlp))`) until a
/// write below it clears it.
#[derive(Debug, Clone, Default)]
enum Node {
    /// No node: an empty branch slot or the empty trie.
    #[default]
    Empty,
    /// A node referenced by hash and not decoded yet.
    Stub(B256),
    Leaf(Box<Leaf>),
    Extension(Box<Extension>),
    Branch(Box<Branch>),
}

#[derive(Debug, Clone)]
struct Leaf {
    /// The rest of the key, one nibble per byte.
    path: Vec<u8>,
    value: Vec<u8>,
    cached: Option<RlpNode>,
}

#[derive(Debug, Clone)]
struct Extension {
    /// The shared nibbles, one per byte; never empty.
    path: Vec<u8>,
    /// A branch (or a stub of one).
    child: Node,
    cached: Option<RlpNode>,
}

#[derive(Debug, Clone)]
struct Branch {
    children: [Node; 16],
    cached: Option<RlpNode>,
}

impl Node {
    fn leaf(path: Vec<u8>, value: Vec<u8>) -> Self {
        Self::Leaf(Box::new(Leaf { path, value, cached: None }))
    }

    /// `path` followed by `child`: the child itself when `path` is empty.
    fn extension(path: Vec<u8>, child: Self) -> Self {
        if path.is_empty() {
            child
        } else {
            Self::Extension(Box::new(Extension { path, child, cached: None }))
        }
    }

    const fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }

    fn set_cached(&mut self, reference: Option<RlpNode>) {
        match self {
            Self::Empty | Self::Stub(_) => {}
            Self::Leaf(leaf) => leaf.cached = reference,
            Self::Extension(extension) => extension.cached = reference,
            Self::Branch(branch) => branch.cached = reference,
        }
    }
}

impl Branch {
    fn empty() -> Self {
        Self { children: core::array::from_fn(|_| Node::Empty), cached: None }
    }

    fn child_mut(&mut self, nibble: u8) -> Result<&mut Node> {
        self.children.get_mut(usize::from(nibble)).ok_or_else(|| invariant("nibble above 15"))
    }

    /// The index of the only non-empty child other than `except`, if there is exactly one.
    fn only_other_child(&self, except: u8) -> Option<u8> {
        let mut others = (0u8..)
            .zip(self.children.iter())
            .filter(|(index, child)| *index != except && !child.is_empty());
        match (others.next(), others.next()) {
            (Some((index, _)), None) => Some(index),
            _ => None,
        }
    }
}

/// An internal invariant does not hold. Nodes are validated when decoded (every leaf ends at
/// 64 nibbles, branches carry no value) and writes preserve that, so this is unreachable; it is
/// an error rather than a panic all the same.
fn invariant(reason: &'static str) -> Error {
    Error::MalformedNode { hash: B256::ZERO, reason: reason.into() }
}

fn malformed(hash: B256, reason: &'static str) -> Error {
    Error::MalformedNode { hash, reason: reason.into() }
}

/// Replaces a stub by its decoded node, validated for a node starting at nibble `depth`.
fn resolve(
    node: &mut Node,
    pool: &NodePool,
    depth: usize,
    parent_is_extension: bool,
) -> Result<()> {
    let Node::Stub(hash) = *node else { return Ok(()) };
    let rlp = pool.get(&hash).ok_or(Error::MissingNode(hash))?;
    let mut decoded = decode_node(rlp, depth).map_err(|reason| malformed(hash, reason))?;
    if parent_is_extension && !matches!(decoded, Node::Branch(_)) {
        return Err(malformed(hash, "the child of an extension is not a branch"));
    }
    // Only a root can be referenced by hash with an encoding shorter than 32 bytes.
    decoded.set_cached(if rlp.len() < HASH_REFERENCE_LEN {
        RlpNode::from_raw(rlp)
    } else {
        Some(RlpNode::word_rlp(&hash))
    });
    *node = decoded;
    Ok(())
}

fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Where an existing node's `path` and the new key's `rest` part ways: a branch holding the
/// rest of the old node (`old`, given the old path after the branch) and a leaf with `value`,
/// behind an extension for the shared prefix.
fn split(
    mut path: Vec<u8>,
    rest: &[u8],
    value: &[u8],
    old: impl FnOnce(Vec<u8>) -> Node,
) -> Result<Node> {
    let shared = common_prefix_len(&path, rest);
    let (Some(&old_nibble), Some(&new_nibble), Some(new_path), Some(prefix)) = (
        path.get(shared),
        rest.get(shared),
        rest.get(shared.saturating_add(1)..),
        rest.get(..shared),
    ) else {
        return Err(invariant("paths do not part"));
    };
    path.drain(..=shared);
    let mut branch = Branch::empty();
    *branch.child_mut(old_nibble)? = old(path);
    *branch.child_mut(new_nibble)? = Node::leaf(new_path.to_vec(), value.to_vec());
    Ok(Node::extension(prefix.to_vec(), Node::Branch(Box::new(branch))))
}

/// Inserts `value` at `key` below `node`, which starts at nibble `depth`. Returns whether
/// anything changed. Nothing is modified before every node it needs is resolved.
fn insert_at(
    node: &mut Node,
    pool: &NodePool,
    key: &[u8; KEY_NIBBLES],
    depth: usize,
    parent_is_extension: bool,
    value: &[u8],
) -> Result<bool> {
    resolve(node, pool, depth, parent_is_extension)?;
    let rest = key.get(depth..).unwrap_or_default();
    match node {
        Node::Empty => {
            *node = Node::leaf(rest.to_vec(), value.to_vec());
            Ok(true)
        }
        Node::Stub(hash) => Err(Error::MissingNode(*hash)),
        Node::Leaf(leaf) => {
            if leaf.path == rest {
                if leaf.value == value {
                    return Ok(false);
                }
                leaf.value.clear();
                leaf.value.extend_from_slice(value);
                leaf.cached = None;
                return Ok(true);
            }
            // Both paths end at nibble 64, so they differ at some index `shared` below both
            // lengths: a branch there, behind an extension for the shared part.
            let old_value = mem::take(&mut leaf.value);
            let split = split(mem::take(&mut leaf.path), rest, value, |p| Node::leaf(p, old_value));
            *node = split.map_err(|_| invariant("leaf path length differs from the key's"))?;
            Ok(true)
        }
        Node::Extension(extension) => {
            let shared = common_prefix_len(&extension.path, rest);
            if shared == extension.path.len() {
                let changed = insert_at(
                    &mut extension.child,
                    pool,
                    key,
                    depth.saturating_add(shared),
                    true,
                    value,
                )?;
                if changed {
                    extension.cached = None;
                }
                return Ok(changed);
            }
            // The key leaves the extension at `shared`: a branch there holds the rest of the
            // extension and the new leaf.
            let child = mem::take(&mut extension.child);
            let split =
                split(mem::take(&mut extension.path), rest, value, |p| Node::extension(p, child));
            *node = split.map_err(|_| invariant("extension reaches past the key"))?;
            Ok(true)
        }
        Node::Branch(branch) => {
            let Some(&nibble) = rest.first() else {
                return Err(invariant("key ends at a branch"));
            };
            let changed = insert_at(
                branch.child_mut(nibble)?,
                pool,
                key,
                depth.saturating_add(1),
                false,
                value,
            )?;
            if changed {
                branch.cached = None;
            }
            Ok(changed)
        }
    }
}

/// Removes `key` below `node`, which starts at nibble `depth`. Returns whether the key was
/// present. Nothing is modified before every node it needs (including a collapse's sibling) is
/// resolved.
fn remove_at(
    node: &mut Node,
    pool: &NodePool,
    key: &[u8; KEY_NIBBLES],
    depth: usize,
    parent_is_extension: bool,
) -> Result<bool> {
    resolve(node, pool, depth, parent_is_extension)?;
    let rest = key.get(depth..).unwrap_or_default();
    match node {
        Node::Empty => Ok(false),
        Node::Stub(hash) => Err(Error::MissingNode(*hash)),
        Node::Leaf(leaf) => {
            if leaf.path != rest {
                return Ok(false);
            }
            *node = Node::Empty;
            Ok(true)
        }
        Node::Extension(extension) => {
            if !rest.starts_with(&extension.path) {
                return Ok(false);
            }
            let child_depth = depth.saturating_add(extension.path.len());
            if !remove_at(&mut extension.child, pool, key, child_depth, true)? {
                return Ok(false);
            }
            extension.cached = None;
            merge_extension(node);
            Ok(true)
        }
        Node::Branch(branch) => {
            let (Some(&nibble), Some(child_rest)) = (rest.first(), rest.get(1..)) else {
                return Ok(false);
            };
            let child_depth = depth.saturating_add(1);
            let child = branch.child_mut(nibble)?;
            resolve(child, pool, child_depth, false)?;
            if matches!(child, Node::Leaf(leaf) if leaf.path == child_rest) {
                // The child disappears. If one sibling remains it is merged upwards: resolve it
                // before modifying anything so that a missing sibling leaves the trie intact.
                if let Some(sibling) = branch.only_other_child(nibble) {
                    resolve(branch.child_mut(sibling)?, pool, child_depth, false)?;
                }
                *branch.child_mut(nibble)? = Node::Empty;
                branch.cached = None;
                collapse_branch(node, pool, depth)?;
                return Ok(true);
            }
            // Below a branch or extension child, a removal leaves at least one leaf, so the
            // child stays non-empty and this branch keeps its children.
            if !remove_at(child, pool, key, child_depth, false)? {
                return Ok(false);
            }
            let child_is_empty = child.is_empty();
            branch.cached = None;
            if child_is_empty {
                collapse_branch(node, pool, depth)?;
            }
            Ok(true)
        }
    }
}

/// Rewrites a branch (at nibble `depth`) left with fewer than two children: with none it becomes
/// empty; with one it merges into it (a leaf or extension with the nibble prepended, or an
/// extension of that nibble over a branch). Resolves the remaining child if it is a stub.
fn collapse_branch(node: &mut Node, pool: &NodePool, depth: usize) -> Result<()> {
    let Node::Branch(branch) = node else { return Ok(()) };
    let mut live = (0u8..).zip(branch.children.iter()).filter(|(_, child)| !child.is_empty());
    let only = match (live.next(), live.next()) {
        (_, Some(_)) => return Ok(()),
        (None, None) => None,
        (Some((index, _)), None) => Some(index),
    };
    let Some(index) = only else {
        *node = Node::Empty;
        return Ok(());
    };
    let child = branch.child_mut(index)?;
    resolve(child, pool, depth.saturating_add(1), false)?;
    *node = match mem::take(child) {
        Node::Leaf(mut leaf) => {
            leaf.path.insert(0, index);
            leaf.cached = None;
            Node::Leaf(leaf)
        }
        Node::Extension(mut extension) => {
            extension.path.insert(0, index);
            extension.cached = None;
            Node::Extension(extension)
        }
        child => Node::extension(vec![index], child),
    };
    Ok(())
}

/// After a removal below an extension: an extension whose child became a leaf or an extension
/// absorbs it; one whose child vanished vanishes.
fn merge_extension(node: &mut Node) {
    let Node::Extension(extension) = node else { return };
    match &mut extension.child {
        Node::Empty => *node = Node::Empty,
        Node::Stub(_) | Node::Branch(_) => {}
        Node::Leaf(leaf) => {
            let mut path = mem::take(&mut extension.path);
            path.append(&mut leaf.path);
            leaf.path = path;
            leaf.cached = None;
            *node = mem::take(&mut extension.child);
        }
        Node::Extension(inner) => {
            let mut path = mem::take(&mut extension.path);
            path.append(&mut inner.path);
            inner.path = path;
            inner.cached = None;
            *node = mem::take(&mut extension.child);
        }
    }
}

/// The reference of `node` inside its parent, from the cache or by encoding it (after its
/// children). `buf` is scratch space.
fn node_ref(node: &mut Node, buf: &mut Vec<u8>) -> RlpNode {
    match node {
        Node::Empty => RlpNode::from_raw(&[EMPTY_STRING_CODE]).unwrap_or_default(),
        Node::Stub(hash) => RlpNode::word_rlp(hash),
        Node::Leaf(leaf) => {
            if let Some(cached) = &leaf.cached {
                return cached.clone();
            }
            let (path, path_len) = hex_prefix(&leaf.path, true);
            let path = path.get(..path_len).unwrap_or_default();
            buf.clear();
            Header {
                list: true,
                payload_length: path.length().saturating_add(leaf.value.as_slice().length()),
            }
            .encode(buf);
            path.encode(buf);
            leaf.value.as_slice().encode(buf);
            let reference = RlpNode::from_rlp(buf);
            leaf.cached = Some(reference.clone());
            reference
        }
        Node::Extension(extension) => {
            if let Some(cached) = &extension.cached {
                return cached.clone();
            }
            let child = node_ref(&mut extension.child, buf);
            let (path, path_len) = hex_prefix(&extension.path, false);
            let path = path.get(..path_len).unwrap_or_default();
            buf.clear();
            Header { list: true, payload_length: path.length().saturating_add(child.len()) }
                .encode(buf);
            path.encode(buf);
            buf.extend_from_slice(&child);
            let reference = RlpNode::from_rlp(buf);
            extension.cached = Some(reference.clone());
            reference
        }
        Node::Branch(branch) => {
            if let Some(cached) = &branch.cached {
                return cached.clone();
            }
            let mut children: [Option<RlpNode>; 16] = Default::default();
            // The 17th item, the (always empty) value, takes one byte.
            let mut payload_length = 1usize;
            for (reference, child) in children.iter_mut().zip(branch.children.iter_mut()) {
                if !child.is_empty() {
                    let child_ref = node_ref(child, buf);
                    payload_length = payload_length.saturating_add(child_ref.len());
                    *reference = Some(child_ref);
                } else {
                    payload_length = payload_length.saturating_add(1);
                }
            }
            buf.clear();
            Header { list: true, payload_length }.encode(buf);
            for reference in &children {
                match reference {
                    Some(reference) => buf.extend_from_slice(reference),
                    None => buf.push(EMPTY_STRING_CODE),
                }
            }
            buf.push(EMPTY_STRING_CODE);
            let reference = RlpNode::from_rlp(buf);
            branch.cached = Some(reference.clone());
            reference
        }
    }
}

/// Hex-prefix encoding (Yellow Paper appendix C) of a path of at most 64 nibbles: the bytes and
/// how many of them are used.
fn hex_prefix(path: &[u8], leaf: bool) -> ([u8; 33], usize) {
    let mut flag = if leaf { 0x20 } else { 0x00 };
    // An odd path carries its first nibble in the flag byte.
    let pairs = match path.split_first() {
        Some((&nibble, rest)) if path.len() & 1 == 1 => {
            flag |= 0x10 | nibble;
            rest
        }
        _ => path,
    };
    let packed = pairs.chunks_exact(2).map(|pair| match pair {
        [high, low] => (high << 4) | low,
        _ => 0,
    });
    let mut out = [0u8; 33];
    let mut len = 0usize;
    for (slot, byte) in out.iter_mut().zip(core::iter::once(flag).chain(packed)) {
        *slot = byte;
        len = len.saturating_add(1);
    }
    (out, len)
}

/// One RLP item of a node: whether it is a list, its payload, and its whole encoding.
#[derive(Clone, Copy)]
struct Item<'a> {
    list: bool,
    payload: &'a [u8],
    raw: &'a [u8],
}

impl Item<'_> {
    const EMPTY: Self = Self { list: false, payload: &[], raw: &[] };
}

/// Splits the first RLP item off `buf`.
fn split_item<'a>(buf: &mut &'a [u8]) -> Result<Item<'a>, &'static str> {
    let start: &'a [u8] = buf;
    let mut cursor: &'a [u8] = buf;
    let header = Header::decode(&mut cursor).map_err(|_| "invalid RLP header")?;
    // A single byte below 0x80 is its own payload: `decode` leaves it in `cursor`.
    let payload = cursor.get(..header.payload_length).ok_or("RLP item longer than its input")?;
    let rest = cursor.get(header.payload_length..).ok_or("RLP item longer than its input")?;
    let raw_len = start.len().checked_sub(rest.len()).ok_or("RLP length overflow")?;
    let raw = start.get(..raw_len).ok_or("RLP length overflow")?;
    *buf = rest;
    Ok(Item { list: header.list, payload, raw })
}

/// Decodes and validates a node that starts at nibble `depth` of a 64-nibble key.
fn decode_node(rlp: &[u8], depth: usize) -> Result<Node, &'static str> {
    let mut buf = rlp;
    let node = split_item(&mut buf)?;
    if !node.list {
        return Err("not an RLP list");
    }
    if !buf.is_empty() {
        return Err("trailing bytes after the node");
    }
    let mut items = [Item::EMPTY; 17];
    let mut count = 0usize;
    let mut payload = node.payload;
    while !payload.is_empty() {
        *items.get_mut(count).ok_or("more than 17 items")? = split_item(&mut payload)?;
        count = count.saturating_add(1);
    }
    match (count, items) {
        (17, items) => decode_branch(&items, depth),
        (2, [path, second, ..]) => decode_short(path, second, depth),
        _ => Err("a trie node has 2 or 17 items"),
    }
}

fn decode_branch(items: &[Item<'_>; 17], depth: usize) -> Result<Node, &'static str> {
    if depth >= KEY_NIBBLES {
        return Err("branch below the key length");
    }
    let [children_items @ .., value] = items;
    if value.list || !value.payload.is_empty() {
        return Err("branch with a value (keys are 32 bytes)");
    }
    let mut branch = Branch::empty();
    let mut live = 0usize;
    for (child, item) in branch.children.iter_mut().zip(children_items) {
        *child = decode_child(item, depth.saturating_add(1))?;
        if !child.is_empty() {
            live = live.saturating_add(1);
        }
    }
    if live < 2 {
        return Err("branch with fewer than two children");
    }
    Ok(Node::Branch(Box::new(branch)))
}

/// A branch child or extension child: empty, a hash reference, or an inline node.
fn decode_child(item: &Item<'_>, depth: usize) -> Result<Node, &'static str> {
    if item.list {
        if item.raw.len() >= HASH_REFERENCE_LEN {
            return Err("inline node of 32 bytes or more");
        }
        let mut node = decode_node(item.raw, depth)?;
        node.set_cached(RlpNode::from_raw(item.raw));
        return Ok(node);
    }
    match item.payload.len() {
        0 => Ok(Node::Empty),
        32 => <[u8; 32]>::try_from(item.payload)
            .map(|hash| Node::Stub(B256::from(hash)))
            .map_err(|_| "child hash is not 32 bytes"),
        _ => Err("child is neither a hash nor an inline node"),
    }
}

/// A leaf or an extension.
fn decode_short(path: Item<'_>, second: Item<'_>, depth: usize) -> Result<Node, &'static str> {
    if path.list {
        return Err("node path is a list");
    }
    let (&first, packed) = path.payload.split_first().ok_or("empty hex-prefix path")?;
    let flag = first >> 4;
    if flag > 3 {
        return Err("invalid hex-prefix flag");
    }
    let is_leaf = flag & 2 != 0;
    let odd = flag & 1 != 0;
    if !odd && first & 0x0f != 0 {
        return Err("non-zero hex-prefix padding");
    }
    if packed.len() > KEY_NIBBLES / 2 {
        return Err("path longer than a key");
    }
    let mut nibbles = Vec::with_capacity(packed.len().saturating_mul(2).saturating_add(1));
    if odd {
        nibbles.push(first & 0x0f);
    }
    for byte in packed {
        nibbles.push(byte >> 4);
        nibbles.push(byte & 0x0f);
    }
    let end = depth.saturating_add(nibbles.len());
    if is_leaf {
        if end != KEY_NIBBLES {
            return Err("leaf does not end at the key length");
        }
        if second.list {
            return Err("leaf value is a list");
        }
        if second.payload.is_empty() {
            return Err("leaf with an empty value");
        }
        return Ok(Node::leaf(nibbles, second.payload.to_vec()));
    }
    if nibbles.is_empty() {
        return Err("extension with an empty path");
    }
    if end >= KEY_NIBBLES {
        return Err("extension reaches the key length");
    }
    let child = decode_child(&second, end)?;
    match child {
        Node::Stub(_) | Node::Branch(_) => {}
        Node::Empty => return Err("extension without a child"),
        Node::Leaf(_) | Node::Extension(_) => {
            return Err("the child of an extension is not a branch");
        }
    }
    Ok(Node::Extension(Box::new(Extension { path: nibbles, child, cached: None })))
}

#[cfg(test)]
mod tests {
    // `std` (for the timing test) when the crate is built without its `std` feature.
    #[cfg(not(feature = "std"))]
    extern crate std;

    use alloc::{collections::BTreeMap, collections::BTreeSet, vec, vec::Vec};

    use alloy_primitives::{B256, Bytes, keccak256};
    use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, Nibbles, proof::ProofRetainer};

    use super::{NodePool, SparseTrie, TrieKey};
    use crate::Error;

    /// SplitMix64: deterministic, no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn b256(&mut self) -> B256 {
            let mut out = B256::ZERO;
            for chunk in out.chunks_mut(8) {
                chunk.copy_from_slice(&self.next().to_le_bytes());
            }
            out
        }

        /// A non-empty value; short ones make leaves (and branches) small enough to be inlined.
        fn value(&mut self) -> Vec<u8> {
            let len = [1, 1, 2, 3, 5, 20, 31, 33, 70][self.below(9)];
            (0..len).map(|_| self.next() as u8).collect()
        }

        /// A fresh key: random, or close to `near` (same prefix, last 1–3 bytes or last nibble
        /// changed) so that leaves sit deep in the trie with short paths.
        fn key(&mut self, near: Option<&B256>) -> B256 {
            let Some(near) = near.filter(|_| self.below(2) == 0) else { return self.b256() };
            let mut key = *near;
            match self.below(4) {
                0 => key[31] = (key[31] & 0xf0) | (self.next() as u8 & 0x0f),
                n => {
                    for byte in key.iter_mut().skip(32 - n) {
                        *byte = self.next() as u8;
                    }
                }
            }
            key
        }
    }

    type Model = BTreeMap<B256, Vec<u8>>;

    fn random_model(rng: &mut Rng, n: usize) -> Model {
        let mut model = Model::new();
        let mut keys = Vec::new();
        while model.len() < n {
            let near = (!keys.is_empty()).then(|| keys[rng.below(keys.len())]);
            let key = rng.key(near.as_ref());
            if model.insert(key, rng.value()).is_none() {
                keys.push(key);
            }
        }
        model
    }

    /// The reference root (alloy-trie `HashBuilder` over sorted leaves) and the proof nodes of
    /// `targets`.
    fn reference<'a>(
        model: &Model,
        targets: impl IntoIterator<Item = &'a B256>,
    ) -> (B256, Vec<Bytes>) {
        let retainer = ProofRetainer::from_iter(targets.into_iter().map(Nibbles::unpack));
        let mut builder = HashBuilder::default().with_proof_retainer(retainer);
        for (key, value) in model {
            builder.add_leaf(Nibbles::unpack(key), value);
        }
        let root = builder.root();
        let nodes = builder.take_proof_nodes().into_inner().into_values().collect();
        (root, nodes)
    }

    fn reference_root(model: &Model) -> B256 {
        reference(model, []).0
    }

    /// The root and a pool holding every node of the trie of `model`.
    fn full_pool(model: &Model) -> (B256, NodePool) {
        let (root, nodes) = reference(model, model.keys());
        (root, NodePool::from_nodes(&nodes))
    }

    fn key(hashed: &B256) -> TrieKey {
        TrieKey::from_hashed(*hashed)
    }

    /// Hashes of the nodes referenced by hash (32 bytes or more) in `nodes`.
    fn hashed_nodes(nodes: &[Bytes]) -> Vec<B256> {
        nodes.iter().filter(|node| node.len() >= 32).map(keccak256).collect()
    }

    const SIZES: [usize; 9] = [1, 2, 3, 16, 17, 100, 300, 1000, 2000];

    #[test]
    fn empty_trie() {
        let pool = NodePool::new();
        let mut trie = SparseTrie::new(EMPTY_ROOT_HASH);
        assert_eq!(trie.root(), EMPTY_ROOT_HASH);
        let k = key(&B256::repeat_byte(7));
        assert_eq!(trie.get(&pool, &k), Ok(None));
        assert_eq!(trie.remove(&pool, &k), Ok(false));
        trie.insert(&pool, &k, &[1]).unwrap();
        assert_ne!(trie.root(), EMPTY_ROOT_HASH);
        assert_eq!(trie.get(&pool, &k), Ok(Some(vec![1])));
        assert_eq!(trie.remove(&pool, &k), Ok(true));
        assert_eq!(trie.root(), EMPTY_ROOT_HASH);
        // An empty value deletes.
        trie.insert(&pool, &k, &[1]).unwrap();
        trie.insert(&pool, &k, &[]).unwrap();
        assert_eq!(trie.root(), EMPTY_ROOT_HASH);
    }

    #[test]
    fn key_helpers() {
        let address = alloy_primitives::Address::repeat_byte(0xaa);
        assert_eq!(TrieKey::account(&address).hashed(), keccak256(address));
        let slot = alloy_primitives::U256::from(3u8);
        assert_eq!(TrieKey::storage(&slot).hashed(), keccak256(B256::from(slot)));
        let nibbles = TrieKey::from_hashed(B256::repeat_byte(0x4c)).nibbles();
        assert!(nibbles.chunks(2).all(|pair| pair == [4, 12]));
    }

    #[test]
    fn pool_skips_empty_entries() {
        let pool = NodePool::from_nodes([&[][..], &[0x80][..], &[0xc2, 0x20, 0x01][..]]);
        assert_eq!(pool.len(), 1);
        assert!(pool.contains(&keccak256([0xc2, 0x20, 0x01])));
        assert!(!pool.contains(&EMPTY_ROOT_HASH));
    }

    #[test]
    fn reads_match_reference() {
        let mut rng = Rng(1);
        for n in SIZES {
            let model = random_model(&mut rng, n);
            let (root, pool) = full_pool(&model);
            let mut trie = SparseTrie::new(root);
            for (k, value) in &model {
                assert_eq!(trie.get(&pool, &key(k)), Ok(Some(value.clone())), "n = {n}");
            }
            // Absent keys, random and close to present ones: proven absent.
            let present: Vec<B256> = model.keys().copied().collect();
            for _ in 0..200 {
                let near = present[rng.below(present.len())];
                let absent = rng.key(Some(&near));
                if !model.contains_key(&absent) {
                    assert_eq!(trie.get(&pool, &key(&absent)), Ok(None), "n = {n}");
                }
            }
            assert_eq!(trie.root(), root);

            // A fresh trie answers absent keys too without reading present ones first.
            let mut fresh = SparseTrie::new(root);
            assert_eq!(fresh.get(&pool, &key(&rng.b256())), Ok(None));
        }
    }

    #[test]
    fn inserts_from_empty_match_reference() {
        let mut rng = Rng(2);
        for n in SIZES {
            let model = random_model(&mut rng, n);
            let pool = NodePool::new();
            let mut trie = SparseTrie::empty();
            let mut entries: Vec<_> = model.iter().collect();
            // Shuffle so that insertion order differs from key order.
            for i in (1..entries.len()).rev() {
                entries.swap(i, rng.below(i + 1));
            }
            for (k, value) in entries {
                trie.insert(&pool, &key(k), value).unwrap();
            }
            assert_eq!(trie.root(), reference_root(&model), "n = {n}");
        }
    }

    /// Only inline (< 32 bytes) nodes below a branch: exercises inline decoding and encoding.
    #[test]
    fn inline_nodes() {
        let mut model = Model::new();
        let base = B256::repeat_byte(0x11);
        for last in 0..16u8 {
            let mut k = base;
            k[31] = 0x10 | last;
            model.insert(k, vec![last + 1]);
        }
        let (root, nodes) = reference(&model, model.keys());
        assert!(nodes.iter().any(|node| node.len() < 32), "the fixture has inline nodes");
        let pool = NodePool::from_nodes(&nodes);
        let mut trie = SparseTrie::new(root);
        for (k, value) in &model {
            assert_eq!(trie.get(&pool, &key(k)), Ok(Some(value.clone())));
        }
        for (i, k) in model.keys().enumerate() {
            if i % 2 == 0 {
                trie.insert(&pool, &key(k), &[0x42]).unwrap();
            }
        }
        let updated: Model = model
            .iter()
            .enumerate()
            .map(|(i, (k, v))| (*k, if i % 2 == 0 { vec![0x42] } else { v.clone() }))
            .collect();
        assert_eq!(trie.root(), reference_root(&updated));
        // A single short leaf: the root's encoding is under 32 bytes and still hashed.
        let single: Model = [(base, vec![1])].into();
        let (root, nodes) = reference(&single, single.keys());
        let mut trie = SparseTrie::new(root);
        let pool = NodePool::from_nodes(&nodes);
        assert_eq!(trie.get(&pool, &key(&base)), Ok(Some(vec![1])));
        trie.insert(&pool, &key(&base), &[2]).unwrap();
        assert_eq!(trie.root(), reference_root(&[(base, vec![2])].into()));
    }

    #[test]
    fn missing_node_is_an_error_never_absent() {
        let mut rng = Rng(3);
        for n in [1, 2, 17, 100] {
            let model = random_model(&mut rng, n);
            let (root, nodes) = reference(&model, model.keys());
            let hashed = hashed_nodes(&nodes);
            let absent: Vec<B256> = (0..50).map(|_| rng.b256()).collect();
            for dropped in hashed.iter().take(40) {
                let pool =
                    NodePool::from_nodes(nodes.iter().filter(|node| keccak256(node) != *dropped));
                let mut trie = SparseTrie::new(root);
                let mut hit = false;
                for (k, value) in &model {
                    match trie.get(&pool, &key(k)) {
                        Ok(found) => assert_eq!(found.as_ref(), Some(value)),
                        Err(error) => {
                            assert_eq!(error, Error::MissingNode(*dropped));
                            hit = true;
                        }
                    }
                }
                assert!(hit, "every hashed node lies on some key's path");
                for k in &absent {
                    match trie.get(&pool, &key(k)) {
                        Ok(found) => assert_eq!(found, None),
                        Err(error) => assert_eq!(error, Error::MissingNode(*dropped)),
                    }
                }
                // Writes through the missing node (or needing it as a collapse sibling) fail too,
                // and leave the trie as it was.
                for k in model.keys() {
                    let before = trie.clone().root();
                    if let Err(error) = trie.insert(&pool, &key(k), &[9]) {
                        assert_eq!(error, Error::MissingNode(*dropped));
                        assert_eq!(trie.clone().root(), before);
                    }
                    let before = trie.clone().root();
                    if let Err(error) = trie.remove(&pool, &key(k)) {
                        assert_eq!(error, Error::MissingNode(*dropped));
                        assert_eq!(trie.clone().root(), before);
                    }
                }
            }
        }
        // No pool at all: the root itself is missing.
        let root = B256::repeat_byte(1);
        let mut trie = SparseTrie::new(root);
        assert_eq!(trie.get(&NodePool::new(), &key(&root)), Err(Error::MissingNode(root)));
    }

    #[test]
    fn flipped_byte_makes_the_node_missing() {
        let mut rng = Rng(4);
        let model = random_model(&mut rng, 200);
        let (root, nodes) = reference(&model, model.keys());
        for index in 0..nodes.len() {
            if nodes[index].len() < 32 {
                continue;
            }
            let original = keccak256(&nodes[index]);
            let mut tampered = nodes.clone();
            let mut bytes = tampered[index].to_vec();
            let at = rng.below(bytes.len());
            bytes[at] ^= 1 << rng.below(8);
            tampered[index] = bytes.into();
            let pool = NodePool::from_nodes(&tampered);
            let mut trie = SparseTrie::new(root);
            let mut hit = false;
            for (k, value) in &model {
                match trie.get(&pool, &key(k)) {
                    Ok(found) => assert_eq!(found.as_ref(), Some(value)),
                    Err(error) => {
                        assert_eq!(error, Error::MissingNode(original));
                        hit = true;
                    }
                }
            }
            assert!(hit);
        }
    }

    /// Malformed nodes (fed as a root so their hash is "trusted") give `MalformedNode`, never a
    /// panic, whatever their bytes.
    #[test]
    fn malformed_nodes_never_panic() {
        /// Every operation on the trie rooted at `node` succeeds, misses a node, or names `node`
        /// as malformed; returns the result of a read.
        fn check(node: &[u8]) -> Result<(), Error> {
            let hash = keccak256(node);
            let pool = NodePool::from_nodes([node]);
            let k = key(&B256::repeat_byte(0x12));
            let named = |result: Result<(), Error>| {
                match &result {
                    // A mutated node may reference children the pool lacks.
                    Ok(()) | Err(Error::MissingNode(_)) => {}
                    Err(Error::MalformedNode { hash: h, .. }) => assert_eq!(*h, hash),
                    Err(other) => panic!("unexpected {other:?}"),
                }
                result
            };
            let mut trie = SparseTrie::new(hash);
            let read = named(trie.get(&pool, &k).map(|_| ()));
            let mut trie = SparseTrie::new(hash);
            if named(trie.insert(&pool, &k, &[1])).is_ok() {
                assert_ne!(trie.root(), B256::ZERO);
            }
            let mut trie = SparseTrie::new(hash);
            named(trie.remove(&pool, &k).map(|_| ())).ok();
            read
        }
        let malformed = |node: &[u8]| {
            assert!(matches!(check(node), Err(Error::MalformedNode { .. })), "{node:02x?}");
        };
        malformed(&[0x01]); // not a list
        malformed(&[0xc0]); // no items
        malformed(&[0xc3, 0x80, 0x80, 0x80]); // 3 items
        malformed(&[0xc2, 0x20]); // truncated
        malformed(&[0xc2, 0x20, 0x01, 0x00]); // trailing byte
        malformed(&[0xc2, 0x40, 0x01]); // hex-prefix flag 4
        malformed(&[0xc2, 0x21, 0x01]); // even leaf with non-zero padding
        malformed(&[0xc2, 0x20, 0x01]); // leaf ending at depth 0, not 64
        malformed(&[0xc2, 0x00, 0x01]); // extension with an empty path
        malformed(&[0xc4, 0x11, 0xc2, 0x3f, 0x01]); // extension over an inline leaf
        let mut empty_branch = vec![0xd1];
        empty_branch.extend([0x80; 17]);
        malformed(&empty_branch);
        let mut with_value = vec![0xd2];
        with_value.extend([0x80; 16]);
        with_value.extend([0x81, 0xff]);
        malformed(&with_value);
        let mut one_child = vec![0xf8, 33 + 16, 0xa0];
        one_child.extend([7u8; 32]);
        one_child.extend([0x80; 16]);
        malformed(&one_child);
        // A leaf at the root with a 64-nibble path is valid.
        let mut leaf = vec![0xe3, 0xa1, 0x20];
        leaf.extend([0u8; 32]);
        leaf.push(0x01);
        assert_eq!(check(&leaf), Ok(()));

        // An extension whose hashed child is a leaf (63-nibble path, so it ends at 64).
        let mut child = vec![0xe2, 0xa0, 0x31];
        child.extend([0x11; 31]);
        child.push(0x01);
        let child_hash = keccak256(&child);
        let mut extension = vec![0xe2, 0x11, 0xa0];
        extension.extend_from_slice(child_hash.as_slice());
        let pool = NodePool::from_nodes([&child, &extension]);
        let mut trie = SparseTrie::new(keccak256(&extension));
        assert!(matches!(
            trie.get(&pool, &key(&B256::repeat_byte(0x11))),
            Err(Error::MalformedNode { hash, .. }) if hash == child_hash
        ));

        // Random mutations of real nodes.
        let mut rng = Rng(5);
        let model = random_model(&mut rng, 300);
        let (_, nodes) = reference(&model, model.keys());
        for node in &nodes {
            for _ in 0..20 {
                let mut bytes = node.to_vec();
                match rng.below(3) {
                    0 => {
                        let at = rng.below(bytes.len());
                        bytes[at] = rng.next() as u8;
                    }
                    1 => bytes.truncate(rng.below(bytes.len())),
                    _ => bytes.insert(rng.below(bytes.len() + 1), rng.next() as u8),
                }
                check(&bytes).ok();
            }
        }
        for _ in 0..2000 {
            let len = rng.below(80);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            check(&bytes).ok();
        }
    }

    /// Hand-made collapses: a branch collapsing into an extension, a leaf merging into the
    /// extension above it.
    #[test]
    fn deletes_collapse_branches() {
        let with_prefix = |prefix: &[u8], fill: u8| {
            let mut k = B256::repeat_byte(fill);
            k[..prefix.len()].copy_from_slice(prefix);
            k
        };
        let a = with_prefix(&[0x12, 0x34], 0xaa);
        let b = with_prefix(&[0x12, 0x35], 0xbb);
        let c = with_prefix(&[0x56], 0xcc);
        let d = with_prefix(&[0x12, 0x36], 0xdd);
        let f = with_prefix(&[0x17], 0xff);
        let full: Model =
            [(a, vec![1; 40]), (b, vec![2; 40]), (c, vec![3; 40]), (d, vec![4]), (f, vec![5; 40])]
                .into();
        // Root: branch {1: branch {2: extension "3" → branch {4: a, 5: b, 6: d}, 7: f}, 5: c}.
        for removed in [
            vec![c],             // the root collapses into extension "1" over a branch
            vec![f],             // extension "3" absorbs the nibble: extension "23"
            vec![f, c],          // then the root merges into extension "123"
            vec![a, b],          // branch {6: d} collapses into a leaf, absorbed by the extension
            vec![c, d, a, f],    // down to a single leaf at the root
            vec![a, b, c, d, f], // down to the empty trie
            vec![d, c],
        ] {
            let (root, pool) = full_pool(&full);
            let mut trie = SparseTrie::new(root);
            let mut expected = full.clone();
            for k in &removed {
                assert_eq!(trie.remove(&pool, &key(k)), Ok(true));
                assert_eq!(trie.remove(&pool, &key(k)), Ok(false));
                expected.remove(k);
                assert_eq!(trie.root(), reference_root(&expected), "removed {removed:?}");
            }
            for (k, v) in &expected {
                assert_eq!(trie.get(&pool, &key(k)), Ok(Some(v.clone())));
            }
        }
    }

    #[test]
    fn random_updates_match_reference() {
        for seed in 0..12u64 {
            let mut rng = Rng(100 + seed);
            let n = [0, 1, 2, 5, 30, 200, 1000, 2000][seed as usize % 8];
            let mut model = random_model(&mut rng, n);
            let (root, pool) = full_pool(&model);
            // Alternate between a trie resolved from the pool and one built by inserts.
            let mut trie = if seed % 2 == 0 {
                SparseTrie::new(root)
            } else {
                let mut trie = SparseTrie::empty();
                for (k, v) in &model {
                    trie.insert(&pool, &key(k), v).unwrap();
                }
                trie
            };
            let operations = 3 * n.max(10);
            for step in 0..operations {
                let keys: Vec<B256> = model.keys().copied().collect();
                let existing = (!keys.is_empty()).then(|| keys[rng.below(keys.len())]);
                match rng.below(20) {
                    0..=7 => {
                        let k = rng.key(existing.as_ref());
                        let v = rng.value();
                        trie.insert(&pool, &key(&k), &v).unwrap();
                        model.insert(k, v);
                    }
                    8..=11 => {
                        if let Some(k) = existing {
                            let v = rng.value();
                            trie.insert(&pool, &key(&k), &v).unwrap();
                            model.insert(k, v);
                        }
                    }
                    12..=18 => {
                        if let Some(k) = existing {
                            assert_eq!(trie.remove(&pool, &key(&k)), Ok(true));
                            model.remove(&k);
                        }
                    }
                    _ => {
                        let k = rng.key(existing.as_ref());
                        assert_eq!(trie.remove(&pool, &key(&k)), Ok(model.remove(&k).is_some()));
                    }
                }
                if step % (operations / 7 + 1) == 0 {
                    assert_eq!(trie.root(), reference_root(&model), "seed {seed} step {step}");
                }
            }
            assert_eq!(trie.root(), reference_root(&model), "seed {seed}");
            for (k, v) in &model {
                assert_eq!(trie.get(&pool, &key(k)), Ok(Some(v.clone())));
            }
            // Delete everything, in random order.
            let mut keys: Vec<B256> = model.keys().copied().collect();
            for i in (1..keys.len()).rev() {
                keys.swap(i, rng.below(i + 1));
            }
            for (i, k) in keys.iter().enumerate() {
                assert_eq!(trie.remove(&pool, &key(k)), Ok(true));
                model.remove(k);
                if i % (keys.len() / 5 + 1) == 0 {
                    assert_eq!(trie.root(), reference_root(&model), "seed {seed}");
                }
            }
            assert_eq!(trie.root(), EMPTY_ROOT_HASH, "seed {seed}");
        }
    }

    /// A witness with only the proof nodes of the touched keys: inserts before deletes work;
    /// a delete that needs an absent sibling fails with `MissingNode` and leaves the trie intact.
    #[test]
    fn minimal_witness_and_update_order() {
        let k1 = B256::repeat_byte(0x10);
        let k2 = B256::repeat_byte(0x20);
        let k3 = B256::repeat_byte(0x30);
        let pre: Model = [(k1, vec![1; 40]), (k2, vec![2; 40])].into();
        let post: Model = [(k2, vec![2; 40]), (k3, vec![3; 40])].into();
        // The witness proves k1 (to delete it) and k3's absence (to insert it); k2's leaf is only
        // referenced by hash.
        let (root, nodes) = reference(&pre, [&k1, &k3]);
        let pool = NodePool::from_nodes(&nodes);
        let k2_leaf = {
            let (_, all) = reference(&pre, [&k2]);
            hashed_nodes(&all).into_iter().find(|hash| !pool.contains(hash)).unwrap()
        };

        // Delete first: the branch keeps only k2, whose node is missing.
        let mut trie = SparseTrie::new(root);
        assert_eq!(trie.remove(&pool, &key(&k1)), Err(Error::MissingNode(k2_leaf)));
        assert_eq!(trie.root(), root);
        assert_eq!(trie.get(&pool, &key(&k1)), Ok(Some(vec![1; 40])));

        // Insert first: the branch keeps two children, nothing collapses.
        trie.insert(&pool, &key(&k3), &[3; 40]).unwrap();
        assert_eq!(trie.remove(&pool, &key(&k1)), Ok(true));
        assert_eq!(trie.root(), reference_root(&post));

        // `apply` orders a batch the same way.
        let mut trie = SparseTrie::new(root);
        trie.apply(&pool, [(key(&k1), None), (key(&k3), Some(vec![3; 40]))]).unwrap();
        assert_eq!(trie.root(), reference_root(&post));
    }

    /// Random blocks against a pre-state trie: the witness is the proof nodes of the touched keys
    /// plus, as in a canonical witness, the siblings that inserts-before-deletes collapses need.
    #[test]
    fn random_minimal_witnesses() {
        for seed in 0..8u64 {
            let mut rng = Rng(200 + seed);
            let pre = random_model(&mut rng, [50, 300, 1000, 2000][seed as usize % 4]);
            let (root, all_nodes) = reference(&pre, pre.keys());
            let full = NodePool::from_nodes(&all_nodes);
            let keys: Vec<B256> = pre.keys().copied().collect();
            let mut changes: BTreeMap<B256, Option<Vec<u8>>> = BTreeMap::new();
            let mut reads = BTreeSet::new();
            for _ in 0..rng.below(60) + 1 {
                let existing = keys[rng.below(keys.len())];
                match rng.below(4) {
                    0 => {
                        reads.insert(existing);
                    }
                    1 => {
                        changes.insert(existing, Some(rng.value()));
                    }
                    2 => {
                        changes.insert(existing, None);
                    }
                    _ => {
                        let k = rng.key(Some(&existing));
                        if !pre.contains_key(&k) {
                            changes.insert(k, Some(rng.value()));
                        }
                    }
                }
            }
            let mut post = pre.clone();
            for (k, v) in &changes {
                match v {
                    Some(v) => post.insert(*k, v.clone()),
                    None => post.remove(k),
                };
            }
            let touched: Vec<&B256> = reads.iter().chain(changes.keys()).collect();
            let (_, proof) = reference(&pre, touched.iter().copied());
            let mut pool = NodePool::from_nodes(&proof);
            let mut added = 0;
            let root_after = loop {
                let mut trie = SparseTrie::new(root);
                let result = reads
                    .iter()
                    .try_for_each(|k| {
                        assert_eq!(trie.get(&pool, &key(k))?, pre.get(k).cloned());
                        Ok(())
                    })
                    .and_then(|()| {
                        trie.apply(&pool, changes.iter().map(|(k, v)| (key(k), v.clone())))
                    });
                match result {
                    Ok(()) => break trie.root(),
                    Err(Error::MissingNode(hash)) => {
                        // Only a collapse sibling may be missing.
                        assert!(!pool.contains(&hash) && full.contains(&hash));
                        pool.insert(Bytes::copy_from_slice(full.get(&hash).unwrap()));
                        added += 1;
                        assert!(added <= changes.len(), "seed {seed}");
                    }
                    Err(other) => panic!("seed {seed}: {other}"),
                }
            };
            assert_eq!(root_after, reference_root(&post), "seed {seed}");
        }
    }

    /// Rough timing of a realistic witness (run with
    /// `cargo test --release -p mana-stateless mpt::tests::timing -- --ignored --nocapture`):
    /// 1,000 touched keys in a 1M-key trie give ~4,000 proof nodes.
    #[test]
    #[ignore = "timing, run in release mode"]
    fn timing() {
        use std::{println, time::Instant};
        let mut rng = Rng(7);
        let mut model = Model::new();
        while model.len() < 1_000_000 {
            model.insert(rng.b256(), rng.value());
        }
        let keys: Vec<B256> = model.keys().copied().collect();
        let touched: Vec<B256> = (0..1000).map(|_| keys[rng.below(keys.len())]).collect();
        let (root, nodes) = reference(&model, &touched);
        let bytes: usize = nodes.iter().map(|node| node.len()).sum();
        println!("witness: {} nodes, {} bytes", nodes.len(), bytes);
        let mut post = model.clone();
        let updates: Vec<(B256, Vec<u8>)> = touched.iter().map(|k| (*k, rng.value())).collect();
        for (k, v) in &updates {
            post.insert(*k, v.clone());
        }
        let expected = reference_root(&post);
        let mut best = [f64::MAX; 4];
        for _ in 0..7 {
            let start = Instant::now();
            let pool = NodePool::from_nodes(&nodes);
            let pool_time = start.elapsed();
            let start = Instant::now();
            let mut trie = SparseTrie::new(root);
            for k in &touched {
                assert!(trie.get(&pool, &key(k)).unwrap().is_some());
            }
            let get_time = start.elapsed();
            let start = Instant::now();
            for (k, v) in &updates {
                trie.insert(&pool, &key(k), v).unwrap();
            }
            let update_time = start.elapsed();
            let start = Instant::now();
            assert_eq!(trie.root(), expected);
            let root_time = start.elapsed();
            for (slot, time) in best.iter_mut().zip([pool_time, get_time, update_time, root_time]) {
                *slot = slot.min(time.as_secs_f64() * 1e3);
            }
        }
        println!(
            "best of 7: pool {:.2} ms, 1000 gets {:.2} ms, 1000 updates {:.2} ms, root {:.2} ms",
            best[0], best[1], best[2], best[3]
        );
    }
}
