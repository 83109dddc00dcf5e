package hessianjson

import "encoding/binary"

// date renders a date: 0x4a and milliseconds since the epoch in 8 bytes,
// or 0x4b and minutes since the epoch in 4.
func (r *Renderer) date(dst []byte, c *cursor) ([]byte, error) {
	var ms int64
	if c.b[c.pos] == 0x4a {
		if err := c.need(9); err != nil {
			return dst, err
		}
		ms = int64(binary.BigEndian.Uint64(c.b[c.pos+1:]))
		c.pos += 9
	} else {
		if err := c.need(5); err != nil {
			return dst, err
		}
		ms = int64(int32(binary.BigEndian.Uint32(c.b[c.pos+1:]))) * 60000
		c.pos += 5
	}
	dst = appendDate(dst, ms)
	return dst, r.grown(dst)
}

// appendDate appends the instant ms milliseconds after the Unix epoch as a
// JSON string in RFC 3339 form, UTC, with exactly three fraction digits:
// "2026-12-05T08:00:00.123Z". Years outside 0000-9999, which RFC 3339
// cannot write, take a sign and at least six digits, as JavaScript's
// Date.toISOString writes them ("+275760-09-13T00:00:00.000Z").
func appendDate(dst []byte, ms int64) []byte {
	const msPerDay = 86400000
	days := ms / msPerDay
	rem := ms % msPerDay
	if rem < 0 {
		days--
		rem += msPerDay
	}
	y, m, d := civil(days)
	dst = append(dst, '"')
	switch {
	case y >= 0 && y <= 9999:
		dst = appendDigits(dst, uint64(y), 4)
	case y < 0:
		dst = append(dst, '-')
		dst = appendDigits(dst, uint64(-y), 6)
	default:
		dst = append(dst, '+')
		dst = appendDigits(dst, uint64(y), 6)
	}
	dst = append(dst, '-')
	dst = appendDigits(dst, uint64(m), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, uint64(d), 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, uint64(rem/3600000), 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, uint64(rem/60000%60), 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, uint64(rem/1000%60), 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, uint64(rem%1000), 3)
	return append(dst, 'Z', '"')
}

// civil returns the proleptic Gregorian year, month and day of the day
// days after 1970-01-01 (Howard Hinnant's civil_from_days).
func civil(days int64) (year, month, day int64) {
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365], from March 1
	mp := (5*doy + 2) / 153                                // [0, 11], March is 0
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// appendDigits appends v in decimal, with leading zeros to width digits.
func appendDigits(dst []byte, v uint64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v > 0 || len(buf)-i < width {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[i:]...)
}
