//! [`IdbStore`] against a real IndexedDB, in headless Chromium (wasm-bindgen-test +
//! chromedriver; `webdriver.json` next to `Cargo.toml` holds the browser flags):
//!
//! ```text
//! CHROMEDRIVER=/usr/bin/chromedriver \
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!     cargo test -p mana-store --target wasm32-unknown-unknown --test browser_idb
//! ```
//!
//! `cargo xtask test` runs it. Every test works on databases of its own, named with the time and
//! a random number, and deletes them at the end: reruns in a kept profile never collide.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::{Cell, RefCell};
use std::future::{Future as _, IntoFuture as _, poll_fn};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

use idb::{Factory, ObjectStoreParams};
use mana_store::{Error, IdbStore, Op, Store};
use wasm_bindgen::prelude::{Closure, JsValue, wasm_bindgen};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The backend contract shared with the native tests (`crate::` there is this file's root).
#[path = "../src/contract.rs"]
mod contract;

/// A database name no earlier run has used.
fn unique_name(label: &str) -> String {
    let now = js_sys::Date::now() as u64;
    let nonce = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("mana-store-test/{label}/{now}-{nonce:08x}")
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &JsValue, ms: i32) -> JsValue;
}

/// How long a deletion may wait for connections to close. A closed connection lets go as soon
/// as its last transaction finishes (milliseconds); an unclosed one only at garbage collection.
const DELETE_DEADLINE_MS: i32 = 5_000;

/// Deletes the database `name`. Fails if an open connection holds the deletion back past the
/// deadline, i.e. if an `IdbStore` of it was dropped without closing its connection.
async fn delete_database(name: &str) {
    let expired = Rc::new(Cell::new(false));
    let waker: Rc<RefCell<Option<Waker>>> = Rc::default();
    let on_deadline = Closure::once_into_js({
        let (expired, waker) = (Rc::clone(&expired), Rc::clone(&waker));
        move || {
            expired.set(true);
            if let Some(w) = waker.borrow_mut().take() {
                w.wake();
            }
        }
    });
    set_timeout(&on_deadline, DELETE_DEADLINE_MS);
    let mut deletion = pin!(Factory::new().unwrap().delete(name).unwrap().into_future());
    poll_fn(|cx| {
        if let Poll::Ready(result) = deletion.as_mut().poll(cx) {
            return Poll::Ready(result.map_err(|e| format!("deleting {name:?}: {e:?}")));
        }
        if expired.get() {
            return Poll::Ready(Err(format!(
                "deleting {name:?}: still held by an open connection after {DELETE_DEADLINE_MS} ms"
            )));
        }
        *waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    })
    .await
    .unwrap();
}

#[wasm_bindgen_test]
async fn idb_store_meets_the_contract() {
    let name = unique_name("contract");
    let store = IdbStore::open(&name).await.unwrap();
    contract::contract(&store).await;
    drop(store);
    delete_database(&name).await;
}

#[wasm_bindgen_test]
async fn writes_survive_closing_and_reopening_the_database() {
    let name = unique_name("reopen");
    let first = IdbStore::open(&name).await.unwrap();
    first
        .write(vec![
            Op::Put("kept".into(), b"value".to_vec()),
            Op::Put("overwritten".into(), vec![1]),
            Op::Put("deleted".into(), vec![2]),
        ])
        .await
        .unwrap();
    first
        .write(vec![Op::Put("overwritten".into(), vec![3]), Op::Delete("deleted".into())])
        .await
        .unwrap();
    drop(first);

    let second = IdbStore::open(&name).await.unwrap();
    assert_eq!(second.get("kept").await.unwrap(), Some(b"value".to_vec()));
    assert_eq!(second.get("overwritten").await.unwrap(), Some(vec![3]));
    assert_eq!(second.get("deleted").await.unwrap(), None);
    assert_eq!(second.get("never-written").await.unwrap(), None);
    // The reopened handle writes too, and a third open sees it.
    second.write(vec![Op::Put("kept".into(), b"again".to_vec())]).await.unwrap();
    drop(second);
    let third = IdbStore::open(&name).await.unwrap();
    assert_eq!(third.get("kept").await.unwrap(), Some(b"again".to_vec()));
    drop(third);
    delete_database(&name).await;
}

#[wasm_bindgen_test]
async fn two_databases_do_not_share_keys() {
    let (name_a, name_b) = (unique_name("isolated-a"), unique_name("isolated-b"));
    let a = IdbStore::open(&name_a).await.unwrap();
    let b = IdbStore::open(&name_b).await.unwrap();
    a.write(vec![Op::Put("shared".into(), vec![0xa]), Op::Put("only-a".into(), vec![1])])
        .await
        .unwrap();
    b.write(vec![Op::Put("shared".into(), vec![0xb])]).await.unwrap();
    assert_eq!(a.get("shared").await.unwrap(), Some(vec![0xa]));
    assert_eq!(b.get("shared").await.unwrap(), Some(vec![0xb]));
    assert_eq!(b.get("only-a").await.unwrap(), None);
    b.write(vec![Op::Delete("shared".into())]).await.unwrap();
    assert_eq!(a.get("shared").await.unwrap(), Some(vec![0xa]));
    assert_eq!(b.get("shared").await.unwrap(), None);
    drop((a, b));
    delete_database(&name_a).await;
    delete_database(&name_b).await;
}

#[wasm_bindgen_test]
async fn two_handles_on_one_database_see_each_others_writes() {
    let name = unique_name("two-handles");
    let a = IdbStore::open(&name).await.unwrap();
    let b = IdbStore::open(&name).await.unwrap();
    a.write(vec![Op::Put("k".into(), vec![1])]).await.unwrap();
    assert_eq!(b.get("k").await.unwrap(), Some(vec![1]));
    b.write(vec![Op::Delete("k".into())]).await.unwrap();
    assert_eq!(a.get("k").await.unwrap(), None);
    drop((a, b));
    delete_database(&name).await;
}

#[wasm_bindgen_test]
async fn a_database_without_the_object_store_is_an_open_error() {
    // Something else created this name at version 1 with no object store.
    let name = unique_name("foreign");
    let mut request = Factory::new().unwrap().open(&name, Some(1)).unwrap();
    request.on_upgrade_needed(|event| {
        use idb::DatabaseEvent as _;
        let db = event.database().unwrap();
        db.create_object_store("not-mana", ObjectStoreParams::new()).unwrap();
    });
    request.await.unwrap().close();

    let err = IdbStore::open(&name).await.unwrap_err();
    assert!(matches!(err, Error::Open { .. }), "{err}");
    delete_database(&name).await;
}
