package sourcefile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestListFolderLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := range MaxFolderFiles {
		if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(i)), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files, _, _, err := List(dir)
	if err != nil || len(files) != MaxFolderFiles {
		t.Fatalf("a folder of MaxFolderFiles: %d files, %v", len(files), err)
	}
	if !strings.HasSuffix(files[1], "/1") || !strings.HasSuffix(files[2], "/10") {
		t.Errorf("files not in name order: %v", files[:3])
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, _, _, err = List(dir)
	want := dir + ": more than 10000 entries in the folder, over the limit (carelogic.MaxFolderFiles)"
	if !errors.Is(err, ErrLimit) || err.Error() != want {
		t.Errorf("a folder of one more entry: %v, want %s", err, want)
	}
}

func TestBudgetReadJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, size int64) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString("\ufeff{}"); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		return path
	}
	third := write("a.json", MaxSourceBytes/3)
	over := write("big.json", MaxSourceBytes+1)
	notJSON := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notJSON, []byte("Call Jane Roe"), 0o600); err != nil {
		t.Fatal(err)
	}

	var b Budget
	if _, _, err := b.ReadJSON(over, true); err == nil || err.Error() != "67108865 bytes, over the limit of 67108864 (carelogic.MaxSourceBytes)" {
		t.Errorf("a file over the limit: %v", err)
	}
	if data, ok, err := b.ReadJSON(notJSON, false); data != nil || ok || err != nil {
		t.Errorf("a file of another kind in a folder: %q, %v, %v; want it left unread", data, ok, err)
	}
	for range 3 {
		data, ok, err := b.ReadJSON(third, false)
		if err != nil || !ok || len(data) != MaxSourceBytes/3-3 || data[0] != '{' {
			t.Fatalf("a third of the budget: %d bytes, %v, %v", len(data), ok, err)
		}
	}
	_, _, err := b.ReadJSON(third, false)
	want := "22369621 bytes, with 67108863 bytes read before from the same folder, over the limit of 67108864 (carelogic.MaxSourceBytes)"
	if !errors.Is(err, ErrLimit) || err == nil || err.Error() != want {
		t.Errorf("a file over what is left: %v, want %s", err, want)
	}
}

// slowReader gives its content a few bytes at a time, as a network does.
type slowReader struct{ s string }

func (r *slowReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 3)], r.s)
	r.s = r.s[n:]
	return n, nil
}

func TestReadAtMost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		limit    int64
		hint     int64
		over     bool
	}{
		{name: "under the limit", in: "0123456789", limit: 20},
		{name: "at the limit", in: "0123456789", limit: 10},
		{name: "at the limit, with its size", in: "0123456789", limit: 10, hint: 10},
		{name: "one over the limit", in: "0123456789x", limit: 10, over: true},
		{name: "over the limit, with a size that says less", in: "0123456789xyz", limit: 10, hint: 5, over: true},
		{name: "empty", in: "", limit: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, over, err := readAtMost(&slowReader{tt.in}, tt.limit, tt.hint)
			if err != nil || over != tt.over {
				t.Fatalf("readAtMost = %q, %v, %v; want over %v", data, over, err, tt.over)
			}
			if !tt.over {
				if diff := cmp.Diff(tt.in, string(data)); diff != "" {
					t.Errorf("data (-want +got):\n%s", diff)
				}
				if int64(cap(data)) > max(tt.limit, 512) {
					t.Errorf("cap %d past the limit %d", cap(data), tt.limit)
				}
			}
		})
	}
}

func TestReadAllEndless(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("reads MaxSourceBytes")
	}
	_, err := ReadAll(io.MultiReader(strings.NewReader("{"), zeros{}))
	want := "more than 67108864 bytes, over the limit (carelogic.MaxSourceBytes)"
	if !errors.Is(err, ErrLimit) || err == nil || err.Error() != want {
		t.Errorf("ReadAll of an endless reader: %v, want %s", err, want)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
