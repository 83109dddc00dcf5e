package jsonhessian

// A java.util.Date is given as RFC 3339 text, "2026-12-05T08:00:00.123Z"
// (a 't' or a space may stand for the 'T', a 'z' for the 'Z', and an offset
// "+08:00" for it; fractions below the millisecond are cut), or as decimal
// milliseconds since the epoch, "-1". Either becomes hessian's date: 0x4a and
// the milliseconds as an int64.

// parseDate returns the milliseconds since the epoch that b names, and
// whether b is a date in one of the two forms.
func parseDate(b []byte) (int64, bool) {
	if ms, ok := parseEpochMillis(b); ok {
		return ms, true
	}
	return parseRFC3339(b)
}

// parseEpochMillis parses an optionally negative decimal int64.
func parseEpochMillis(b []byte) (int64, bool) {
	if len(b) > 0 && b[0] == '+' {
		return 0, false
	}
	return ParseInteger(b, 64)
}

// parseRFC3339 parses an RFC 3339 date-time into epoch milliseconds.
func parseRFC3339(b []byte) (int64, bool) {
	// 2006-01-02T15:04:05Z is the shortest form: 20 bytes.
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	switch b[10] {
	case 'T', 't', ' ':
	default:
		return 0, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return 0, false
	}
	rest := b[19:]
	var ms int64
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
			if n <= 3 {
				ms = ms*10 + int64(rest[n]-'0')
			}
			n++
		}
		if n == 1 {
			return 0, false
		}
		for i := n; i <= 3; i++ { // ".1" is 100 ms
			ms *= 10
		}
		rest = rest[n:]
	}
	var offset int64 // seconds east of UTC
	switch {
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, okh := digits(rest[1:3])
		om, okm := digits(rest[4:6])
		if !okh || !okm || oh > 23 || om > 59 {
			return 0, false
		}
		offset = int64(oh*3600 + om*60)
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	secs := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec) - offset
	return secs*1000 + ms, true
}

// digits parses b, all decimal digits, as a number.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn returns the number of days of month in year (proleptic Gregorian).
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days from 1970-01-01 to the given date of the
// proleptic Gregorian calendar (Howard Hinnant's algorithm).
func daysFromCivil(year, month, day int) int64 {
	y := int64(year)
	if month <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	m := int64(month)
	if m > 2 {
		m -= 3
	} else {
		m += 9
	}
	doy := (153*m+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
