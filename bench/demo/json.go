package demo

import (
	"strconv"
	"time"
)

// AppendJSON appends u as the mesh renders a User result, and returns the
// extended slice: one compact JSON object of the fields in Hessian's order,
// without the class name; the role as its name, created as RFC 3339 UTC with
// milliseconds, balance as a JSON number with the decimal's exact digits,
// tags and lucky as arrays, scores and the addresses as objects. A NoRole
// role, like Java's null, is written as null. It allocates only to grow dst.
func (u *User) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, u.ID, 10)
	dst = append(dst, `,"name":`...)
	dst = AppendString(dst, u.Name)
	dst = append(dst, `,"role":`...)
	if u.Role == NoRole {
		dst = append(dst, "null"...)
	} else {
		dst = AppendString(dst, u.Role.String())
	}
	dst = append(dst, `,"address":`...)
	dst = u.Address.appendJSON(dst)
	dst = append(dst, `,"tags":`...)
	dst = appendStrings(dst, u.Tags)
	dst = append(dst, `,"scores":`...)
	dst = appendScores(dst, u.Scores)
	dst = append(dst, `,"created":"`...)
	dst = AppendDate(dst, u.Created)
	dst = append(dst, `","balance":`...)
	dst = append(dst, u.Balance...)
	dst = append(dst, `,"lucky":`...)
	dst = appendInts(dst, u.Lucky)
	dst = append(dst, `,"previous":[`...)
	for i := range u.Previous {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = u.Previous[i].appendJSON(dst)
	}
	return append(dst, "]}"...)
}

// AppendArgJSON appends u as a JSON argument of the User type, in the form
// the contract gives for a value the provider reads into the declared class
// (DESIGN.md, "Any signature"): the role as {"name":...}, created as
// {"class":"java.util.Date","value":"<RFC 3339>"} and balance as
// {"class":"java.math.BigDecimal","value":"<text>"}, since Java's Hessian
// reads a nested enum, Date or BigDecimal from nothing else; the other
// fields as AppendJSON writes them. It allocates only to grow dst.
func (u *User) AppendArgJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, u.ID, 10)
	dst = append(dst, `,"name":`...)
	dst = AppendString(dst, u.Name)
	dst = append(dst, `,"role":`...)
	if u.Role == NoRole {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, `{"name":`...)
		dst = AppendString(dst, u.Role.String())
		dst = append(dst, '}')
	}
	dst = append(dst, `,"address":`...)
	dst = u.Address.appendJSON(dst)
	dst = append(dst, `,"tags":`...)
	dst = appendStrings(dst, u.Tags)
	dst = append(dst, `,"scores":`...)
	dst = appendScores(dst, u.Scores)
	dst = append(dst, `,"created":{"class":"java.util.Date","value":"`...)
	dst = AppendDate(dst, u.Created)
	dst = append(dst, `"},"balance":{"class":"java.math.BigDecimal","value":"`...)
	dst = append(dst, u.Balance...)
	dst = append(dst, `"},"lucky":`...)
	dst = appendInts(dst, u.Lucky)
	dst = append(dst, `,"previous":[`...)
	for i := range u.Previous {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = u.Previous[i].appendJSON(dst)
	}
	return append(dst, "]}"...)
}

func (a *Address) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"street":`...)
	dst = AppendString(dst, a.Street)
	dst = append(dst, `,"city":`...)
	dst = AppendString(dst, a.City)
	dst = append(dst, `,"zip":`...)
	dst = AppendString(dst, a.Zip)
	return append(dst, '}')
}

func appendStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, s)
	}
	return append(dst, ']')
}

func appendScores(dst []byte, scores []Score) []byte {
	dst = append(dst, '{')
	for i, s := range scores {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, s.Name)
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(s.Value), 10)
	}
	return append(dst, '}')
}

func appendInts(dst []byte, xs []int32) []byte {
	dst = append(dst, '[')
	for i, x := range xs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(x), 10)
	}
	return append(dst, ']')
}

// AppendString appends s as a JSON string: quotes, backslashes and control
// characters escaped (the latter as \u00XX), everything else as it is.
func AppendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// AppendDate appends the instant ms (milliseconds since 1970) in RFC 3339,
// UTC, with milliseconds: 2023-11-14T22:13:20.123Z. It does not allocate
// beyond growing dst.
func AppendDate(dst []byte, ms int64) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(dst, DateLayout)
}

// DateLayout is the time layout of AppendDate.
const DateLayout = "2006-01-02T15:04:05.000Z"
