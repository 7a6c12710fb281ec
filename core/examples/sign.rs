//! Signs a token and prints signed URLs with the committed TEST key.
//! `cargo run -p qencode-cdn --example sign`
use qencode_cdn::{CookieOptions, SignOptions, Signer, Verifier};
use std::time::Duration;

fn main() -> Result<(), qencode_cdn::Error> {
    let pem = include_str!("../../tests/keys/rsa2048.pkcs1.pem"); // TEST KEY, published
    let signer = Signer::from_pem("ec25a6a6-b31e-4ac9-af01-711460421c6b", pem)?;
    let opts = SignOptions::new().expires_in(Duration::from_secs(600));
    let token = signer.sign("my-playback-id", &opts)?;
    println!("token:        {token}");
    println!("live URL:     {}", signer.signed_live_url("my-playback-id", &opts)?);
    let url = signer.signed_storage_url("my-bucket", "us-west", "videos/intro.mp4", &opts)?;
    println!("storage URL:  {url}");
    let cookie = signer.signed_cookie("videos/", &opts, &CookieOptions::new().domain("example.com"))?;
    println!("Set-Cookie:   {cookie}");
    let verifier = Verifier::from_signer(&signer)?;
    print!("{}", verifier.explain(&url.replace("intro", "other")));
    Ok(())
}
