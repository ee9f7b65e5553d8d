//! Prints what `kbundle_describe::parse` reads from the files given as
//! arguments (a debugging aid).

fn main() {
    for path in std::env::args().skip(1) {
        match std::fs::read_to_string(&path) {
            Ok(text) => println!("== {path}\n{:#?}", kbundle_describe::parse(&text)),
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
