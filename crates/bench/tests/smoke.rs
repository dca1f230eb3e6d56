//! The dashboard bench at a toy scale on SQLite: it builds its programme, asks
//! every request through the router and writes its table, so the benchmark
//! cannot rot between the runs that measure (which use a release build).

use std::process::Command;

#[test]
fn dashboard_bench_runs_at_toy_scale() {
    let out = Command::new(env!("CARGO_BIN_EXE_langnghe-bench"))
        .args([
            "--store",
            "sqlite",
            "--only",
            "dashboard",
            "--records",
            "400",
            "--units",
            "6",
            "--indicators",
            "6",
            "--earlier-years",
            "1",
            "--iterations",
            "1",
            "--warmup",
            "0",
        ])
        .output()
        .expect("run langnghe-bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for row in [
        "programme dashboard, JSON",
        "programme dashboard, page",
        "overview of Hà Nội, JSON",
        "overview of the country, JSON",
        "map: reporting rate of the programme",
        "map: village points of Hà Nội",
    ] {
        assert!(stdout.contains(row), "{row} in\n{stdout}");
    }
    assert!(
        stdout.contains("| reports (all approved) | 14 |"),
        "{stdout}"
    );
}
