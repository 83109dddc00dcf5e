package http1

// Limits bounds what Parse accepts from one request. A zero or negative field
// means the corresponding DefaultLimits field. A Limits may be shared by
// concurrent Parse calls as long as nobody modifies it.
type Limits struct {
	// MaxHeaderBytes bounds the request line and headers, counting line
	// ends and the blank line that ends them. Past it Parse returns
	// ErrHeaderTooLarge (431).
	MaxHeaderBytes int
	// MaxBodyBytes bounds Content-Length. Past it Parse returns
	// ErrBodyTooLarge (413) as soon as the headers are complete.
	MaxBodyBytes int
}

// DefaultLimits are the limits of DESIGN.md: 8 KiB of headers, 1 MiB of body.
var DefaultLimits = Limits{MaxHeaderBytes: 8 << 10, MaxBodyBytes: 1 << 20}

func (l *Limits) header() int {
	if l == nil || l.MaxHeaderBytes <= 0 {
		return DefaultLimits.MaxHeaderBytes
	}
	return l.MaxHeaderBytes
}

func (l *Limits) body() int {
	if l == nil || l.MaxBodyBytes <= 0 {
		return DefaultLimits.MaxBodyBytes
	}
	return l.MaxBodyBytes
}
