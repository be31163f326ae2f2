//! Developer aid: print the findings for a crate directory.
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let ws = datagate_lint::discover::discover(&datagate_lint::discover::DiscoverOptions {
        manifest_path: Some(dir.into()),
        ..Default::default()
    });
    let ws = match ws {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    eprintln!(
        "{} packages, {} targets",
        ws.packages.len(),
        ws.targets().count()
    );
    let policy =
        datagate_lint::policy::load::load_for_workspace(None, &ws.root).unwrap_or_default();
    let a = datagate_lint::analyze(&ws, &policy);
    for f in &a.findings {
        println!(
            "{}:{}:{} {} {}",
            f.location.file, f.location.line, f.location.column, f.code, f.message
        );
    }
}
