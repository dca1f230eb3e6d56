//! `xlsx-dump FILE`: read an .xlsx or .csv with `langnghe_reports::read_table`
//! (calamine for xlsx) and print `{"headers": [...], "rows": [[...], ...]}` as
//! JSON on stdout. The browser journeys use it to read exported files back.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: xlsx-dump FILE.xlsx|FILE.csv");
        return ExitCode::from(2);
    };
    let path = std::path::PathBuf::from(path);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("xlsx-dump: cannot read {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sheet =
        match langnghe_reports::read_table(&bytes, &filename, &langnghe_reports::Limits::default())
        {
            Ok(s) => s,
            Err(e) => {
                eprintln!("xlsx-dump: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        };
    let rows: Vec<&Vec<String>> = sheet.rows.iter().map(|r| &r.cells).collect();
    let out = serde_json::json!({ "headers": sheet.headers, "rows": rows });
    // A closed pipe (`xlsx-dump f | head`) is not an error worth a panic.
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{out}").and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xlsx-dump: {e}");
            ExitCode::FAILURE
        }
    }
}
