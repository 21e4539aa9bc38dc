//! The `earshot` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    earshot::cli::main()
}
