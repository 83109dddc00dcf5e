package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The registry cache: the last Snapshot a consumer agent routed by, kept
// in a file, so that one restarted while etcd is away routes by it rather
// than by nothing until etcd is back (Dubbo's registry cache file does the
// same). It holds the keys and values as etcd had them, and is read with
// the same checks as etcd's (ParseKey, ParseValue).

// cacheFile is the cache's JSON form.
type cacheFile struct {
	Saved time.Time         `json:"saved"`
	Keys  map[string]string `json:"keys"`
}

// maxCacheBytes bounds the cache file read.
const maxCacheBytes = 64 << 20

// WriteCache saves s to path, atomically (a temporary file in the same
// directory, renamed over it).
func WriteCache(path string, s Snapshot) error {
	f := cacheFile{Saved: time.Now().UTC(), Keys: map[string]string{}}
	for _, eps := range s {
		for _, ep := range eps {
			f.Keys[Key(ep.Interface, ep.Addr)] = ep.value()
		}
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("registry cache: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("registry cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("registry cache: %w", err)
	}
	return nil
}

// ReadCache reads the Snapshot saved at path and when it was saved. An
// entry whose key or value etcd's checks refuse is left out; a file that
// is not a cache is an error.
func ReadCache(path string) (Snapshot, time.Time, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("registry cache: %w", err)
	}
	defer fh.Close()
	var f cacheFile
	dec := json.NewDecoder(&limitedReader{r: fh, n: maxCacheBytes})
	if err := dec.Decode(&f); err != nil {
		return nil, time.Time{}, fmt.Errorf("registry cache %s: %w", path, err)
	}
	v := make(view, len(f.Keys))
	for k, val := range f.Keys {
		v.put([]byte(k), []byte(val))
	}
	return v.snapshot(), f.Saved, nil
}

// limitedReader fails a read past n bytes, rather than ending quietly as
// io.LimitReader does (a cut file would then read as valid JSON cut short).
type limitedReader struct {
	r interface{ Read([]byte) (int, error) }
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("file larger than 64 MiB")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}
