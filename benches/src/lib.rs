//! Benchmark harness shared by the bench binaries: rtcam side by side with peer
//! implementations in one process, reported as ratios (DESIGN.md, testing layer 5).
//!
//! - A counting global allocator (installed by linking this crate) counts heap
//!   allocations per thread, so every row reports allocations per operation and a test can
//!   assert that a path makes none. Counters are `usize` (`AtomicUsize` for the process
//!   total): MIPS32 has no 64-bit atomics.
//! - [`measure`] warms up, calibrates a batch size so one sample lasts about
//!   [`Config::sample_time`], takes [`Config::samples`] samples and reports the median
//!   ns/op. Inputs and outputs go through [`std::hint::black_box`].
//! - [`Comparison`] measures one "ours" row and any number of peer rows, then prints a
//!   table with ns/op, ops/s, allocations/op and each row's ratio to ours; with
//!   [`Comparison::bytes_per_op`] set, also the throughput in Gbit/s.
//!
//! Portable std only (no cycle counters, no x86 intrinsics), so the same binaries run on
//! mipsel under qemu.
//!
//! Running: bench binaries follow criterion's convention. Under `cargo bench` they get
//! `--bench` and measure; without it (`cargo test --benches`, `--all-targets`) they do a
//! quick smoke run of every closure and print the table marked as unmeasured. To run a
//! built binary by hand (e.g. under qemu), pass `--bench`. The environment variables
//! `RTCAM_BENCH_SAMPLES`, `RTCAM_BENCH_SAMPLE_MS` and `RTCAM_BENCH_WARMUP_MS` override
//! the defaults (15 samples of ~100 ms after 500 ms of warm-up), e.g. for a slow emulator.
//!
//! The cases themselves (fixtures plus each side's code under test) live in modules such as
//! [`stun`], so the bench binary and the allocation tests run exactly the same code.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

pub mod dtls_handshake;
pub mod rtp;
pub mod sdp;
pub mod srtp;
pub mod stun;
pub mod turn;

pub use counting::{AllocCount, CountingAlloc, thread_allocations, total_allocations};

/// The counting allocator. With the libsrtp2 FFI (`srtp::libsrtp`) and the OpenSSL FFI
/// (`dtls_handshake::openssl`), the only `unsafe` in this crate.
#[allow(unsafe_code)]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;
    use std::sync::atomic::{AtomicUsize, Ordering};

    thread_local! {
        // `const`-initialised `Cell`s without destructors: on targets with native TLS
        // (Linux, including mipsel) reading them never allocates, so the allocator cannot
        // recurse into itself.
        static THREAD_ALLOCS: Cell<usize> = const { Cell::new(0) };
        static THREAD_BYTES: Cell<usize> = const { Cell::new(0) };
    }

    /// Allocations made by every thread since the process started.
    static TOTAL_ALLOCS: AtomicUsize = AtomicUsize::new(0);

    /// Heap allocations (and bytes requested) counted on one thread.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct AllocCount {
        /// Calls to `alloc`, `alloc_zeroed` and `realloc`.
        pub allocs: usize,
        /// Bytes requested by those calls (for `realloc`, the new size).
        pub bytes: usize,
    }

    impl AllocCount {
        /// The allocations made between `self` (earlier) and `later`.
        pub fn until(self, later: AllocCount) -> AllocCount {
            AllocCount {
                allocs: later.allocs.wrapping_sub(self.allocs),
                bytes: later.bytes.wrapping_sub(self.bytes),
            }
        }
    }

    /// Counters of the current thread: allocations made by other threads (the test
    /// harness, a runtime's workers) are not included.
    pub fn thread_allocations() -> AllocCount {
        AllocCount {
            allocs: THREAD_ALLOCS.try_with(Cell::get).unwrap_or(0),
            bytes: THREAD_BYTES.try_with(Cell::get).unwrap_or(0),
        }
    }

    /// Allocations made by all threads since the process started.
    pub fn total_allocations() -> usize {
        TOTAL_ALLOCS.load(Ordering::Relaxed)
    }

    fn record(size: usize) {
        TOTAL_ALLOCS.fetch_add(1, Ordering::Relaxed);
        // `try_with` fails only while this thread's TLS is being torn down; such
        // allocations are simply not counted per thread.
        let _ = THREAD_ALLOCS.try_with(|c| c.set(c.get().wrapping_add(1)));
        let _ = THREAD_BYTES.try_with(|c| c.set(c.get().wrapping_add(size)));
    }

    /// Wraps [`System`], counting allocations per thread and in total.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct CountingAlloc;

    // SAFETY: every method forwards its arguments unchanged to `System`, whose
    // implementation fulfils the `GlobalAlloc` contract; the bookkeeping beside it only
    // touches a relaxed atomic and destructor-free thread-locals, never the memory handed
    // out, and never allocates.
    unsafe impl GlobalAlloc for CountingAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            record(layout.size());
            // SAFETY: our caller upholds `GlobalAlloc::alloc`'s contract, which we pass on.
            unsafe { System.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            record(layout.size());
            // SAFETY: as for `alloc`.
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` was returned by `System` (every allocation goes through here)
            // with this `layout`, as our caller guarantees.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            record(new_size);
            // SAFETY: `ptr`/`layout` come from `System` as for `dealloc`; our caller
            // guarantees `new_size` is valid for `layout`'s alignment.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    /// Linking this crate installs the counter for the whole binary; a binary that
    /// declared its own `#[global_allocator]` as well would fail to link, so counts can
    /// never silently read zero because another allocator is in use.
    #[global_allocator]
    static GLOBAL: CountingAlloc = CountingAlloc;
}

/// Runs `f` once and returns its result with the allocations it made on this thread.
pub fn count_allocations<T>(f: impl FnOnce() -> T) -> (T, AllocCount) {
    let before = thread_allocations();
    let out = black_box(f());
    (out, before.until(thread_allocations()))
}

/// Panics unless the counting allocator is the one in use on this thread.
pub fn assert_counting_active() {
    let ((), n) = count_allocations(|| drop(black_box(Box::new(black_box(7u8)))));
    assert!(
        n.allocs >= 1,
        "the counting global allocator is not active: allocations per op would read 0"
    );
}

/// Whether closures are timed or only exercised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Warm up, calibrate, sample, report (under `cargo bench`, i.e. with `--bench`).
    Measure,
    /// Run each closure a few times and report unmeasured numbers (a CI smoke test).
    Smoke,
}

/// How long and how often to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Measure or smoke-test.
    pub mode: Mode,
    /// Samples per row; the median is reported.
    pub samples: usize,
    /// Target duration of one sample (a batch of iterations).
    pub sample_time: Duration,
    /// Warm-up duration per row, also used to calibrate the batch size.
    pub warmup: Duration,
}

/// Iterations per closure in [`Mode::Smoke`].
const SMOKE_ITERS: u64 = 3;

impl Default for Config {
    fn default() -> Config {
        Config {
            mode: Mode::Measure,
            samples: 15,
            sample_time: Duration::from_millis(100),
            warmup: Duration::from_millis(500),
        }
    }
}

impl Config {
    /// The defaults, with `--bench` on the command line selecting [`Mode::Measure`] (else
    /// [`Mode::Smoke`]) and `RTCAM_BENCH_SAMPLES`, `RTCAM_BENCH_SAMPLE_MS`,
    /// `RTCAM_BENCH_WARMUP_MS` overriding the numbers.
    pub fn from_env() -> Config {
        fn var(name: &str) -> Option<u64> {
            std::env::var(name).ok()?.trim().parse().ok()
        }
        let mut cfg = Config::default();
        if !std::env::args().any(|a| a == "--bench") {
            cfg.mode = Mode::Smoke;
        }
        if let Some(n) = var("RTCAM_BENCH_SAMPLES") {
            cfg.samples = usize::try_from(n).unwrap_or(usize::MAX).max(1);
        }
        if let Some(ms) = var("RTCAM_BENCH_SAMPLE_MS") {
            cfg.sample_time = Duration::from_millis(ms.max(1));
        }
        if let Some(ms) = var("RTCAM_BENCH_WARMUP_MS") {
            cfg.warmup = Duration::from_millis(ms);
        }
        cfg
    }
}

/// The result of measuring one closure.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Median over the samples of nanoseconds per operation.
    pub median_ns: f64,
    /// Median absolute deviation of the samples, in nanoseconds per operation.
    pub mad_ns: f64,
    /// Fastest sample, nanoseconds per operation.
    pub min_ns: f64,
    /// Heap allocations per operation (this thread, averaged over every timed iteration).
    pub allocs_per_op: f64,
    /// Bytes requested from the heap per operation.
    pub bytes_per_op: f64,
    /// Iterations in each sample.
    pub iters_per_sample: u64,
    /// Samples taken.
    pub samples: usize,
    /// False in [`Mode::Smoke`]: the times are not meaningful.
    pub measured: bool,
}

impl Measurement {
    /// Operations per second at the median.
    pub fn ops_per_sec(&self) -> f64 {
        if self.median_ns > 0.0 {
            1e9 / self.median_ns
        } else {
            f64::INFINITY
        }
    }
}

/// Runs `f` `iters` times back to back; returns the elapsed time and allocations.
#[inline(never)]
fn run_batch<T, F: FnMut() -> T>(f: &mut F, iters: u64) -> (Duration, AllocCount) {
    let before = thread_allocations();
    let start = Instant::now();
    for _ in 0..iters {
        black_box(f());
    }
    let elapsed = start.elapsed();
    (elapsed, before.until(thread_allocations()))
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn sort(v: &mut [f64]) {
    v.sort_by(f64::total_cmp);
}

/// Measures `f` (one call = one operation). Inputs should be captured and passed through
/// [`black_box`] inside `f`; its output is black-boxed here.
pub fn measure<T>(cfg: &Config, mut f: impl FnMut() -> T) -> Measurement {
    assert_counting_active();
    if cfg.mode == Mode::Smoke {
        let (t, a) = run_batch(&mut f, SMOKE_ITERS);
        let ns = t.as_nanos() as f64 / SMOKE_ITERS as f64;
        return Measurement {
            median_ns: ns,
            mad_ns: 0.0,
            min_ns: ns,
            allocs_per_op: a.allocs as f64 / SMOKE_ITERS as f64,
            bytes_per_op: a.bytes as f64 / SMOKE_ITERS as f64,
            iters_per_sample: SMOKE_ITERS,
            samples: 1,
            measured: false,
        };
    }

    // Warm up (caches, branch predictors, the allocator's free lists, CPU clock) while
    // doubling the batch until one batch is long enough to time reliably.
    let started = Instant::now();
    let mut iters: u64 = 1;
    let mut ns_per_op;
    loop {
        let (t, _) = run_batch(&mut f, iters);
        ns_per_op = (t.as_nanos() as f64 / iters as f64).max(0.1);
        if started.elapsed() >= cfg.warmup && t >= Duration::from_millis(1) {
            break;
        }
        if t < Duration::from_millis(10) {
            iters = iters.saturating_mul(2);
        }
    }
    let iters = ((cfg.sample_time.as_nanos() as f64 / ns_per_op) as u64).max(1);

    let mut per_op = Vec::with_capacity(cfg.samples);
    let mut allocs = AllocCount::default();
    for _ in 0..cfg.samples {
        let (t, a) = run_batch(&mut f, iters);
        per_op.push(t.as_nanos() as f64 / iters as f64);
        allocs.allocs += a.allocs;
        allocs.bytes += a.bytes;
    }
    sort(&mut per_op);
    let med = median(&per_op);
    let mut dev: Vec<f64> = per_op.iter().map(|x| (x - med).abs()).collect();
    sort(&mut dev);
    let total_iters = iters as f64 * cfg.samples as f64;
    Measurement {
        median_ns: med,
        mad_ns: median(&dev),
        min_ns: per_op.first().copied().unwrap_or(f64::NAN),
        allocs_per_op: allocs.allocs as f64 / total_iters,
        bytes_per_op: allocs.bytes as f64 / total_iters,
        iters_per_sample: iters,
        samples: cfg.samples,
        measured: true,
    }
}

/// One row of a [`Comparison`].
#[derive(Debug, Clone)]
pub struct Row {
    /// Implementation name as printed.
    pub name: String,
    /// True for the baseline row (rtcam).
    pub ours: bool,
    /// What was measured.
    pub measurement: Measurement,
}

/// One operation measured for rtcam and for its peers, printed side by side.
#[derive(Debug, Clone)]
pub struct Comparison {
    title: String,
    cfg: Config,
    rows: Vec<Row>,
    bytes_per_op: Option<u64>,
}

impl Comparison {
    /// A comparison titled `title`, measured with `cfg`.
    pub fn new(title: impl Into<String>, cfg: &Config) -> Comparison {
        Comparison {
            title: title.into(),
            cfg: *cfg,
            rows: Vec::new(),
            bytes_per_op: None,
        }
    }

    /// Declares that one operation processes `bytes` bytes (e.g. a packet's payload): the
    /// table then gets a Gbit/s column, `bytes * 8 / ns per op`.
    pub fn bytes_per_op(&mut self, bytes: u64) -> &mut Self {
        self.bytes_per_op = Some(bytes);
        self
    }

    /// Gigabits per second processed by the row called `name`, if
    /// [`Comparison::bytes_per_op`] was set.
    pub fn gbit_per_sec(&self, name: &str) -> Option<f64> {
        let row = self.rows.iter().find(|r| r.name == name)?;
        Some(gbit_per_sec(self.bytes_per_op?, &row.measurement))
    }

    fn add<T>(&mut self, name: &str, ours: bool, f: impl FnMut() -> T) -> &mut Self {
        eprintln!("measuring {name} ...");
        let measurement = measure(&self.cfg, f);
        self.rows.push(Row {
            name: name.to_owned(),
            ours,
            measurement,
        });
        self
    }

    /// Measures rtcam's implementation: the baseline every ratio refers to.
    pub fn ours<T>(&mut self, name: &str, f: impl FnMut() -> T) -> &mut Self {
        self.add(name, true, f)
    }

    /// Measures a peer implementation of the same operation.
    pub fn peer<T>(&mut self, name: &str, f: impl FnMut() -> T) -> &mut Self {
        self.add(name, false, f)
    }

    /// The rows measured so far.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The baseline (first "ours") row.
    pub fn baseline(&self) -> Option<&Row> {
        self.rows.iter().find(|r| r.ours)
    }

    /// `name`'s median time divided by ours: above 1 means ours is that many times faster.
    pub fn ratio(&self, name: &str) -> Option<f64> {
        let base = self.baseline()?.measurement.median_ns;
        let row = self.rows.iter().find(|r| r.name == name)?;
        Some(row.measurement.median_ns / base)
    }

    /// The table as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let name_w = self
            .rows
            .iter()
            .map(|r| r.name.chars().count())
            .chain([14])
            .max()
            .unwrap_or(14);
        let _ = writeln!(out, "== {} ==", self.title);
        let how = match self.cfg.mode {
            Mode::Measure => format!(
                "{} samples of ~{} ms each after {} ms warm-up; median ns/op, \u{b1} = median abs. deviation",
                self.cfg.samples,
                self.cfg.sample_time.as_millis(),
                self.cfg.warmup.as_millis()
            ),
            Mode::Smoke => format!(
                "SMOKE RUN ({SMOKE_ITERS} iterations, times not meaningful): pass --bench to measure"
            ),
        };
        let endian = if cfg!(target_endian = "little") {
            "little"
        } else {
            "big"
        };
        let _ = writeln!(
            out,
            "{} ({endian}-endian) {}, {how}",
            std::env::consts::ARCH,
            std::env::consts::OS
        );
        if let Some(b) = self.bytes_per_op {
            let _ = writeln!(out, "Gbit/s = {b} bytes per op \u{d7} 8 / ns per op");
        }
        let _ = write!(
            out,
            "{:<name_w$}  {:>10}  {:>6}  {:>10}  ",
            "implementation", "ns/op", "\u{b1}%", "ops/s"
        );
        if self.bytes_per_op.is_some() {
            let _ = write!(out, "{:>8}  ", "Gbit/s");
        }
        let _ = writeln!(out, "{:>9}  {:>8}  vs ours", "allocs/op", "bytes/op");
        let base = self.baseline().map(|r| r.measurement.median_ns);
        for r in &self.rows {
            let m = &r.measurement;
            let spread = if m.median_ns > 0.0 {
                100.0 * m.mad_ns / m.median_ns
            } else {
                0.0
            };
            let vs = match (r.ours, base) {
                (true, _) => "baseline".to_owned(),
                (false, Some(b)) => describe_ratio(m.median_ns / b),
                (false, None) => "-".to_owned(),
            };
            let _ = write!(
                out,
                "{:<name_w$}  {:>10.1}  {:>5.1}%  {:>10}  ",
                r.name,
                m.median_ns,
                spread,
                format_rate(m.ops_per_sec()),
            );
            if let Some(b) = self.bytes_per_op {
                let _ = write!(out, "{:>8.2}  ", gbit_per_sec(b, m));
            }
            let _ = writeln!(
                out,
                "{:>9.2}  {:>8.0}  {}",
                m.allocs_per_op, m.bytes_per_op, vs
            );
        }
        out
    }

    /// Prints the table to stdout.
    pub fn print(&self) {
        println!("{}", self.render());
    }
}

/// Gigabits per second when each operation of `m` processes `bytes` bytes.
fn gbit_per_sec(bytes: u64, m: &Measurement) -> f64 {
    if m.median_ns > 0.0 {
        bytes as f64 * 8.0 / m.median_ns
    } else {
        f64::INFINITY
    }
}

/// "9.3x slower" for a peer/ours time ratio of 9.3, "1.2x faster" for 1/1.2.
pub fn describe_ratio(ratio: f64) -> String {
    if !ratio.is_finite() || ratio <= 0.0 {
        "-".to_owned()
    } else if ratio >= 1.0 {
        format!("{ratio:.1}x slower")
    } else {
        format!("{:.1}x faster", 1.0 / ratio)
    }
}

/// "2.44 M", "262.4 k", "12.0".
pub fn format_rate(per_sec: f64) -> String {
    if !per_sec.is_finite() {
        "-".to_owned()
    } else if per_sec >= 1e9 {
        format!("{:.2} G", per_sec / 1e9)
    } else if per_sec >= 1e6 {
        format!("{:.2} M", per_sec / 1e6)
    } else if per_sec >= 1e3 {
        format!("{:.1} k", per_sec / 1e3)
    } else {
        format!("{per_sec:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_this_thread() {
        use std::sync::{Arc, Barrier};
        let (start, done) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
        let (s, d) = (Arc::clone(&start), Arc::clone(&done));
        let child = std::thread::spawn(move || {
            s.wait();
            for i in 0..100u32 {
                drop(black_box(Box::new(i)));
            }
            d.wait();
        });
        let total_before = total_allocations();
        // This thread only waits while the other one allocates 100 times.
        let ((), mine) = count_allocations(|| {
            start.wait();
            done.wait();
        });
        assert!(total_allocations() - total_before >= 100);
        assert_eq!(mine.allocs, 0);
        child.join().unwrap();

        let (v, one) = count_allocations(|| black_box(Vec::<u8>::with_capacity(64)));
        assert_eq!((one.allocs, one.bytes), (1, 64));
        drop(v);
    }

    #[test]
    fn ratios_read_right() {
        assert_eq!(describe_ratio(9.3), "9.3x slower");
        assert_eq!(describe_ratio(0.5), "2.0x faster");
        assert_eq!(format_rate(2_440_000.0), "2.44 M");
    }

    #[test]
    fn smoke_comparison_renders() {
        let cfg = Config {
            mode: Mode::Smoke,
            ..Config::default()
        };
        let mut c = Comparison::new("t", &cfg);
        c.ours("a", || black_box(1u32) + 1)
            .peer("b", || black_box(vec![1u8; 8]));
        let t = c.render();
        assert!(t.contains("baseline"), "{t}");
        assert_eq!(c.rows()[0].measurement.allocs_per_op, 0.0);
        assert_eq!(c.rows()[1].measurement.allocs_per_op, 1.0);
        assert!(!t.contains("Gbit/s"), "{t}");
        assert_eq!(c.gbit_per_sec("a"), None);
        c.bytes_per_op(1200);
        let t = c.render();
        assert!(t.contains("Gbit/s"), "{t}");
        assert!(c.gbit_per_sec("a").is_some_and(|g| g > 0.0));
    }
}
