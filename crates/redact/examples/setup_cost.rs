//! The redaction's one-time set-up, in a fresh process: `cargo run --release -p kbundle-redact
//! --example setup_cost`. Prints how long the built-in rule set takes to load, the first text
//! (which builds the keyword tables), a first text with credentials (which compiles the rules
//! its keywords point at) and the same text again (no set-up left): docs/performance.md,
//! "Ninth round". Run it a few times: it measures one process's first calls, not a loop.

use std::time::Instant;

use kbundle_redact::{Counts, Redactor};

const PLAIN: &str = "2025-03-14 09:30:01.017 [INFO][1] ipam.go 294: Node and IPAM data is in sync";
const SECRETS: &str = "connecting with password=Pl4ntedPassw0rd! \
                       GITHUB_TOKEN=ghp_R8kZq2mX9vT4wL6yN3pB7cD1fH5jK0sAeUiO";

fn main() {
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed().as_secs_f64() * 1e3
    };
    let mut rules = 0;
    let catalog = time(&mut || rules = kbundle_redact::gitleaks().rules().len());
    let redactor = Redactor::new(Vec::new());
    let mut counts = Counts::new();
    let mut redact = |text: &str| {
        time(&mut || {
            std::hint::black_box(redactor.text(text, &mut counts));
        })
    };
    let plain = redact(PLAIN);
    let secrets = redact(SECRETS);
    let again = redact(SECRETS);
    println!("built-in rule set ({rules} rules): {catalog:.3} ms");
    println!("first text (keyword tables):        {plain:.3} ms");
    println!("first text with credentials:        {secrets:.3} ms");
    println!("the same text again:                {again:.3} ms");
}
