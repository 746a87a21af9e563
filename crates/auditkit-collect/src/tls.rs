//! TLS between `auditkit forward` and `auditkit collect` (rustls with
//! the `ring` provider), certificates checked on both sides: the
//! forwarder checks the collector's certificate against a CA and its
//! name, the collector requires a client certificate signed by its
//! client CA. The frames inside are the same 16-byte ones. The plain
//! port stays for audisp-remote (auditd 3.0's client has no TLS, 4.2's
//! uses PSKs, which rustls does not offer for TLS 1.3 servers).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::TcpStream;

use crate::forward::Io;

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn certs(p: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let v: Result<Vec<_>, _> = CertificateDer::pem_file_iter(p)
        .map_err(|e| format!("{}: {e}", p.display()))?
        .collect();
    let v = v.map_err(|e| format!("{}: {e}", p.display()))?;
    if v.is_empty() {
        return Err(format!("{}: no certificate in it", p.display()));
    }
    Ok(v)
}

fn key(p: &Path) -> Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_file(p).map_err(|e| format!("{}: {e}", p.display()))
}

fn roots(p: &Path) -> Result<rustls::RootCertStore, String> {
    let mut r = rustls::RootCertStore::empty();
    for c in certs(p)? {
        r.add(c).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(r)
}

/// The forwarder's side: the CA that signed the collector's certificate,
/// its own certificate and key, and the name to check (default: the host
/// of `--to`).
#[derive(Clone, Debug)]
pub struct ClientTls {
    /// CA certificates (PEM) for the collector's certificate.
    pub ca: PathBuf,
    /// The forwarder's certificate chain (PEM).
    pub cert: PathBuf,
    /// The forwarder's private key (PEM).
    pub key: PathBuf,
    /// The name the collector's certificate must carry.
    pub name: Option<String>,
}

/// A ready client configuration.
pub struct Connector {
    inner: tokio_rustls::TlsConnector,
    name: Option<String>,
}

impl ClientTls {
    /// Load the files and build the configuration.
    pub fn connector(&self) -> Result<Connector, String> {
        let cfg = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots(&self.ca)?)
            .with_client_auth_cert(certs(&self.cert)?, key(&self.key)?)
            .map_err(|e| format!("{}: {e}", self.key.display()))?;
        Ok(Connector {
            inner: tokio_rustls::TlsConnector::from(Arc::new(cfg)),
            name: self.name.clone(),
        })
    }
}

impl Connector {
    /// The TLS handshake over a connected socket to `to` (`HOST:PORT`).
    pub async fn connect(&self, to: &str, s: TcpStream) -> Result<Box<dyn Io>, String> {
        let host = match &self.name {
            Some(n) => n.clone(),
            None => to
                .rsplit_once(':')
                .map_or(to, |(h, _)| h)
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
        };
        let name =
            ServerName::try_from(host.clone()).map_err(|e| format!("TLS name '{host}': {e}"))?;
        let t = self
            .inner
            .connect(name, s)
            .await
            .map_err(|e| format!("TLS handshake with {to}: {e}"))?;
        Ok(Box::new(t))
    }
}

/// The collector's side: its certificate and key, and the CA client
/// certificates must be signed by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerTls {
    /// The collector's certificate chain (PEM).
    pub cert: PathBuf,
    /// Its private key (PEM).
    pub key: PathBuf,
    /// CA certificates (PEM) that sign the forwarders' certificates.
    pub client_ca: PathBuf,
}

impl ServerTls {
    /// Load the files and build the acceptor.
    pub fn acceptor(&self) -> Result<tokio_rustls::TlsAcceptor, String> {
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots(&self.client_ca)?),
            provider(),
        )
        .build()
        .map_err(|e| format!("{}: {e}", self.client_ca.display()))?;
        let cfg = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_client_cert_verifier(verifier)
            .with_single_cert(certs(&self.cert)?, key(&self.key)?)
            .map_err(|e| format!("{}: {e}", self.cert.display()))?;
        Ok(tokio_rustls::TlsAcceptor::from(Arc::new(cfg)))
    }
}
