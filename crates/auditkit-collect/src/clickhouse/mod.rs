//! ClickHouse for fleets: the stored records, inserted in batches over
//! HTTP behind the embedded store.

pub mod http;

pub use http::Url;
