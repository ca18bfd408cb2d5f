//! Prints the tree, the errors and the lowered forms of the text given as the argument:
//! `cargo run -p gene-syntax --example dump -- '(f ^a 1 [x])'`.

fn main() {
    let Some(text) = std::env::args().nth(1) else {
        eprintln!("usage: dump TEXT");
        std::process::exit(2);
    };
    let parse = gene_syntax::parse_text(&text);
    println!("{:#?}", parse.syntax_node());
    for e in parse.errors() {
        println!("{} {:?} {}", e.code(), e.range, e.message);
        for r in &e.related {
            println!("  related {:?} {}", r.range, r.message);
        }
    }
    for f in parse.forms() {
        println!("{:?}", f.kind);
    }
    let whole = gene_syntax::parse_whole(&text);
    if whole.green() != parse.green() || whole.errors() != parse.errors() {
        eprintln!(
            "the chunked and whole-file parses differ: {:#?}",
            whole.syntax_node()
        );
        std::process::exit(1);
    }
}
