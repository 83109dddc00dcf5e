// Package certgen makes throwaway certificate authorities and certificates
// signed by them, as PEM files, for tests and for the benchmark's TLS mesh
// (bench --tls). Keys are ECDSA P-256. Production certificates come from
// the operator's own CA (README, "Security").
package certgen
