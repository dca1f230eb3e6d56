//! xlsx archives: zip-bomb refusal (from the central directory only, without
//! inflating anything) and archives that are not xlsx.
//!
//! This binary counts heap allocations to prove that refusing a 300 MiB bomb
//! allocates next to nothing; its tests run one at a time so that the count
//! is not disturbed.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Cursor, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use common::{build_zip, sample_table};
use langnghe_reports::{read_table, to_xlsx, Limits, ReportError, MAX_ZIP_ENTRIES};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `f`, returning its result, the time taken and the peak of extra heap.
fn measured<T>(f: impl FnOnce() -> T) -> (T, Duration, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let start = Instant::now();
    let out = f();
    let elapsed = start.elapsed();
    (
        out,
        elapsed,
        PEAK.load(Ordering::SeqCst).saturating_sub(base),
    )
}

const MIB: usize = 1024 * 1024;
const BOMB_MIB: usize = 300;

/// A raw deflate stream of `mib` MiB of zeros, made without ever holding them:
/// 1 MiB of zeros is deflated once with a full flush (byte-aligned blocks
/// that refer to nothing before them), repeated, and closed with an empty
/// final block. Also returns the CRC-32 of the inflated data.
fn deflated_zeros(mib: usize) -> (Vec<u8>, u32) {
    let zeros = vec![0u8; MIB];
    let mut compress = flate2::Compress::new(flate2::Compression::best(), false);
    let mut chunk = Vec::with_capacity(MIB);
    compress
        .compress_vec(&zeros, &mut chunk, flate2::FlushCompress::Full)
        .expect("deflate");
    assert_eq!(compress.total_in(), MIB as u64, "whole MiB consumed");
    assert!(
        chunk.ends_with(&[0, 0, 0xFF, 0xFF]),
        "ends with a sync flush"
    );
    let mut stream = Vec::with_capacity(chunk.len() * mib + 2);
    for _ in 0..mib {
        stream.extend_from_slice(&chunk);
    }
    // Final fixed-Huffman block holding only end-of-block.
    stream.extend_from_slice(&[0x03, 0x00]);
    (stream, crc32_of_zero_mib(mib))
}

/// CRC-32 of `mib` MiB of zeros, without hashing them (that alone takes
/// seconds in a debug build). Feeding zero bytes is linear on the CRC
/// register, so "feed 1 MiB of zeros" is a 32×32 bit matrix: the one-byte
/// matrix squared 20 times.
fn crc32_of_zero_mib(mib: usize) -> u32 {
    fn zero_byte(mut r: u32) -> u32 {
        for _ in 0..8 {
            r = if r & 1 == 1 {
                (r >> 1) ^ 0xEDB8_8320
            } else {
                r >> 1
            };
        }
        r
    }
    // m[i] is the image of bit i.
    fn apply(m: &[u32; 32], v: u32) -> u32 {
        (0..32)
            .filter(|i| (v >> i) & 1 == 1)
            .fold(0, |acc, i| acc ^ m[i])
    }
    let mut m: [u32; 32] = std::array::from_fn(|i| zero_byte(1 << i));
    for _ in 0..20 {
        m = std::array::from_fn(|i| apply(&m, m[i]));
    }
    !(0..mib).fold(0xFFFF_FFFF, |r, _| apply(&m, r))
}

#[test]
fn crc_of_zeros_matches_a_real_crc() {
    let _serial = serial();
    let mut crc = flate2::Crc::new();
    crc.update(&vec![0u8; 2 * MIB]);
    assert_eq!(crc32_of_zero_mib(2), crc.sum());
}

/// One-entry ZIP archive written by hand around an already deflated entry.
fn handmade_zip(name: &str, deflated: &[u8], crc: u32, uncompressed: u32) -> Vec<u8> {
    let compressed = u32::try_from(deflated.len()).expect("small");
    let name_len = u16::try_from(name.len()).expect("short name");
    let common = |out: &mut Vec<u8>| {
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&8u16.to_le_bytes()); // deflate
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&compressed.to_le_bytes());
        out.extend_from_slice(&uncompressed.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra length
    };
    let mut out = Vec::with_capacity(deflated.len() + 200);
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    common(&mut out);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(deflated);

    let cd_offset = u32::try_from(out.len()).expect("small");
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes()); // version made by
    common(&mut out);
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out.extend_from_slice(&0u16.to_le_bytes()); // disk
    out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    out.extend_from_slice(&0u32.to_le_bytes()); // external attributes
    out.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    out.extend_from_slice(name.as_bytes());
    let cd_size = u32::try_from(out.len()).expect("small") - cd_offset;

    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn bomb() -> Vec<u8> {
    let (stream, crc) = deflated_zeros(BOMB_MIB);
    let size = u32::try_from(BOMB_MIB * MIB).expect("fits");
    handmade_zip("xl/worksheets/sheet1.xml", &stream, crc, size)
}

#[test]
fn the_handmade_bomb_is_a_real_archive_of_zeros() {
    let _serial = serial();
    let bytes = bomb();
    assert!(bytes.len() < 2 * MIB, "{} bytes", bytes.len());
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).expect("valid zip");
    assert_eq!(archive.decompressed_size(), Some((BOMB_MIB * MIB) as u128));
    let entry = archive.by_index(0).expect("entry");
    assert_eq!(entry.size(), (BOMB_MIB * MIB) as u64);
    // Inflate the first 4 MiB only.
    let mut head = Vec::new();
    entry
        .take(4 * MIB as u64)
        .read_to_end(&mut head)
        .expect("inflate");
    assert_eq!(head.len(), 4 * MIB);
    assert!(head.iter().all(|b| *b == 0));
}

#[test]
fn a_300_mib_bomb_is_refused_at_once_without_inflating() {
    let _serial = serial();
    let bytes = bomb();
    assert!(bytes.len() < Limits::default().max_bytes);
    let (result, elapsed, peak) =
        measured(|| read_table(&bytes, "lang-nghe.xlsx", &Limits::default()));
    assert_eq!(result, Err(ReportError::ZipBomb));
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert!(peak < MIB, "allocated {peak} bytes");
}

#[test]
fn the_ratio_alone_refuses_the_bomb() {
    let _serial = serial();
    let limits = Limits {
        max_uncompressed: u64::MAX,
        ..Limits::default()
    };
    assert_eq!(
        read_table(&bomb(), "x.xlsx", &limits),
        Err(ReportError::ZipBomb)
    );
}

#[test]
fn the_total_size_alone_refuses_an_archive() {
    let _serial = serial();
    let xlsx = to_xlsx(&sample_table()).expect("xlsx");
    let total: u64 = {
        let mut archive = zip::ZipArchive::new(Cursor::new(&xlsx)).expect("zip");
        (0..archive.len())
            .map(|i| archive.by_index(i).expect("entry").size())
            .sum()
    };
    let limits = |max_uncompressed| Limits {
        max_uncompressed,
        ..Limits::default()
    };
    assert_eq!(
        read_table(&xlsx, "x.xlsx", &limits(total - 1)),
        Err(ReportError::ZipBomb)
    );
    assert!(read_table(&xlsx, "x.xlsx", &limits(total)).is_ok());
}

/// `xlsx` with one more deflated entry of `size` zero bytes.
fn with_zeros_entry(xlsx: &[u8], size: usize) -> Vec<u8> {
    let mut source = zip::ZipArchive::new(Cursor::new(xlsx)).expect("zip");
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..source.len() {
        writer
            .raw_copy_file(source.by_index_raw(i).expect("entry"))
            .expect("copy");
    }
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer
        .start_file("xl/media/zeros.bin", options)
        .expect("start");
    writer.write_all(&vec![0u8; size]).expect("write");
    writer.finish().expect("finish").into_inner()
}

#[test]
fn only_large_entries_are_held_to_the_ratio() {
    let _serial = serial();
    let xlsx = to_xlsx(&sample_table()).expect("xlsx");
    // 512 KiB of zeros compresses ~500:1 but is small: accepted.
    let small = with_zeros_entry(&xlsx, MIB / 2);
    let sheet = read_table(&small, "x.xlsx", &Limits::default()).expect("small entry is fine");
    assert_eq!(sheet.rows.len(), 3);
    // 2 MiB of zeros, same ratio, over 1 MiB: refused.
    let large = with_zeros_entry(&xlsx, 2 * MIB);
    assert_eq!(
        read_table(&large, "x.xlsx", &Limits::default()),
        Err(ReportError::ZipBomb)
    );
}

#[test]
fn too_many_entries_are_refused() {
    let _serial = serial();
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..=MAX_ZIP_ENTRIES {
        writer.start_file(format!("{i}"), options).expect("start");
    }
    let bytes = writer.finish().expect("finish").into_inner();
    assert_eq!(
        read_table(&bytes, "x.xlsx", &Limits::default()),
        Err(ReportError::ZipBomb)
    );
}

#[test]
fn other_zip_documents_are_named() {
    let _serial = serial();
    type Entries<'a> = &'a [(&'a str, &'a [u8])];
    let cases: [(Entries, &str); 5] = [
        (&[("word/document.xml", b"<w/>")], "docx"),
        (
            &[
                (
                    "mimetype",
                    b"application/vnd.oasis.opendocument.spreadsheet",
                ),
                ("content.xml", b"<x/>"),
            ],
            "ods",
        ),
        (&[("xl/workbook.bin", b"\x00")], "xlsb"),
        (&[("ppt/presentation.xml", b"<p/>")], "pptx"),
        (&[("anh.png", b"\x89PNG")], "zip"),
    ];
    for (entries, detected) in cases {
        assert_eq!(
            read_table(&build_zip(entries), "x.xlsx", &Limits::default()),
            Err(ReportError::UnsupportedFormat {
                detected: detected.to_owned()
            })
        );
    }
}

#[test]
fn broken_archives_are_xlsx_errors() {
    let _serial = serial();
    let xlsx = to_xlsx(&sample_table()).expect("xlsx");
    let truncated = &xlsx[..xlsx.len() / 2];
    assert!(matches!(
        read_table(truncated, "x.xlsx", &Limits::default()),
        Err(ReportError::Xlsx(_))
    ));
    // A zip that claims to be xlsx but has no worksheet content.
    let hollow = build_zip(&[("xl/workbook.xml", b"not xml")]);
    assert!(matches!(
        read_table(&hollow, "x.xlsx", &Limits::default()),
        Err(ReportError::Xlsx(_))
    ));
}

#[test]
fn xlsx_bytes_are_read_as_xlsx_whatever_the_name() {
    let _serial = serial();
    let xlsx = to_xlsx(&sample_table()).expect("xlsx");
    let sheet = read_table(&xlsx, "danh-sach.csv", &Limits::default()).expect("xlsx");
    assert_eq!(sheet.rows[0].cells[0], "Làng nghề gốm sứ Bát Tràng");
    assert_eq!(
        read_table(
            &xlsx,
            "x.xlsx",
            &Limits {
                max_bytes: xlsx.len() - 1,
                ..Limits::default()
            }
        ),
        Err(ReportError::TooLarge {
            max: xlsx.len() - 1
        })
    );
}
