//! URL building allocates exactly once: the output string, sized up front.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn count<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCS.load(Ordering::SeqCst);
    let out = f();
    (out, ALLOCS.load(Ordering::SeqCst) - before)
}

#[test]
fn each_url_builder_allocates_only_its_output() {
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJ1cmkiOiIifQ.c2ln";
    let (u, n) = count(|| qencode_cdn::live_playback_url("abc-123", Some(token)).unwrap());
    assert_eq!((n, u.len(), u.capacity() == u.len()), (1, u.len(), true), "{u}");
    let (u, n) = count(|| qencode_cdn::live_custom_domain_url("live.example.com", "abc", Some(token)).unwrap());
    assert_eq!((n, u.capacity()), (1, u.len()));
    let (u, n) = count(|| qencode_cdn::storage_url("my-bucket", "us-west", "a b/ü/c.mp4", Some(token)).unwrap());
    assert_eq!((n, u.capacity()), (1, u.len()));
    let (u, n) = count(|| qencode_cdn::storage_custom_domain_url("m.example.com", "/x y.mp4", None).unwrap());
    assert_eq!((n, u.capacity()), (1, u.len()));
}
