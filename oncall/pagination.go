package oncall

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"

	"github.com/oncallsync/oncall-go/internal/redact"
)

// ListOptions select a window of a paginated listing. The API paginates by page number, in the envelope
// {"count", "next", "previous", "results"}.
type ListOptions struct {
	// Page is the 1-based page to start at; 0 starts at the first. A caller that checkpoints stores
	// Page.NextPage and resumes from it.
	Page int
	// PageSize is the number of results per page; 0 leaves the server's default. OnCall documents no maximum.
	PageSize int
}

func (o *ListOptions) apply(q url.Values) {
	if o == nil {
		return
	}
	if o.Page > 0 {
		q.Set("page", strconv.Itoa(o.Page))
	}
	if o.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(o.PageSize))
	}
}

// Page is one page of a listing.
type Page[T any] struct {
	// Count is the total number of results across all pages, as the server counted them for this page.
	Count int
	// Next and Previous are the server's links to the neighbouring pages, or "".
	Next, Previous string
	// NextPage is the page number in Next, or 0 when this is the last page (or Next carries no page number).
	NextPage int
	// Results are this page's items.
	Results []T
}

// pageWire is the envelope as sent. Results is a pointer so that a body without it is an error, not an empty page.
type pageWire[W any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  *[]W    `json:"results"`
}

// lister fetches the pages of one listing.
type lister[W, T any] struct {
	c       *Client
	first   *url.URL
	convert func(*W) T
}

// fetch gets one page from u.
func (l *lister[W, T]) fetch(ctx context.Context, u *url.URL) (*Page[T], error) {
	var pw pageWire[W]
	if err := l.c.do(ctx, "GET", u, nil, &pw); err != nil {
		return nil, err
	}
	if pw.Results == nil {
		return nil, &DecodeError{Method: "GET", Path: u.Path, StatusCode: 200, ContentType: "application/json",
			Err: errors.New(`not a page: no "results"`)}
	}
	p := &Page[T]{Count: pw.Count, Results: make([]T, len(*pw.Results))}
	for i := range *pw.Results {
		p.Results[i] = l.convert(&(*pw.Results)[i])
	}
	if pw.Next != nil {
		p.Next = *pw.Next
		p.NextPage = pageNumber(p.Next)
	}
	if pw.Previous != nil {
		p.Previous = *pw.Previous
	}
	return p, nil
}

func pageNumber(link string) int {
	u, err := url.Parse(link)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(u.Query().Get("page"))
	return max(n, 0)
}

// pages returns an iterator over the pages, following next links as given (so that the server's own filters
// carry over) but only below the client's API root. It stops with ErrPaginationCycle on a link already followed,
// and with ErrPaginationRunaway when the server will not let the listing end (see pageBound). An error is yielded
// once, and ends the iteration.
func (l *lister[W, T]) pages(ctx context.Context) iter.Seq2[*Page[T], error] {
	return func(yield func(*Page[T], error) bool) {
		// The cycle guard keeps a 16-byte digest of each link followed, not the link: 100,000 pages cost 3 MB.
		seen := map[[16]byte]struct{}{}
		bound := pageBound{max: l.c.maxPages}
		u := l.first
		for {
			key := linkDigest(u.String())
			if _, ok := seen[key]; ok {
				yield(nil, fmt.Errorf("%w: %s %s (page %d)", ErrPaginationCycle, "GET", redact.Path(u.Path), pageNumber(u.String())))
				return
			}
			seen[key] = struct{}{}
			p, err := l.fetch(ctx, u)
			if err != nil {
				yield(nil, err)
				return
			}
			if err := bound.check(p.Count, len(p.Results), p.Next != ""); err != nil {
				yield(nil, fmt.Errorf("%w: GET %s: %s", ErrPaginationRunaway, redact.Path(u.Path), err))
				return
			}
			if !yield(p, nil) || p.Next == "" {
				return
			}
			next, err := u.Parse(p.Next) // resolves a relative link against the page it came from
			if err != nil {
				yield(nil, &DecodeError{Method: "GET", Path: u.Path, StatusCode: 200, ContentType: "application/json",
					Err: errors.New("malformed next link")})
				return
			}
			if !l.c.sameOrigin(next) {
				yield(nil, fmt.Errorf("%w: next link of GET %s is not on the client's origin %s", ErrCrossOrigin, redact.Path(u.Path), l.c.origin()))
				return
			}
			if !l.c.underBase(next) {
				yield(nil, fmt.Errorf("%w: next link of GET %s leaves the API root %s", ErrCrossOrigin, redact.Path(u.Path), l.c.base.Path))
				return
			}
			u = next
		}
	}
}

func linkDigest(link string) [16]byte {
	sum := sha256.Sum256([]byte(link))
	return [16]byte(sum[:16])
}

// pageBound decides when a listing has run away. A server that follows Django REST Framework's page-number
// pagination ends a listing after ceil(count/page size) pages and never sends an empty page with a next link; a
// server that does either (a bug, or a hostile host) would otherwise be followed until the context ends.
type pageBound struct {
	max      int // the client's WithMaxPages
	pages    int // pages read so far
	maxCount int // the highest count any page gave: a listing may grow while it is read
	first    int // the first page's count, which bounds how far it may grow
	minLen   int // the fewest results a page that linked a next one held: the page size, or less
}

// check counts one more page, which held n results of a listing of count and linked a next page or not.
func (b *pageBound) check(count, n int, next bool) error {
	b.pages++
	if !next {
		return nil
	}
	if b.pages >= b.max {
		return fmt.Errorf("page %d links a next page, and the client reads at most %d (WithMaxPages)", b.pages, b.max)
	}
	if n == 0 {
		return fmt.Errorf("page %d has no results but links a next page", b.pages)
	}
	if b.first == 0 {
		b.first = count
	}
	// A listing grows while it is read only by what is booked meanwhile: half again, or a thousand, at most. A
	// count that keeps growing past that would carry the bound below along with it.
	if grown := b.first + max(b.first/2, 1000); b.first > 0 && count > grown {
		return fmt.Errorf("page %d counts %d results, more than the %d the first page counted can grow to while it is read", b.pages, count, b.first)
	}
	b.maxCount = max(b.maxCount, count)
	if b.minLen == 0 || n < b.minLen {
		b.minLen = n
	}
	// A count of 0 beside results says the server does not count: only the page limit applies then. Two pages of
	// slack cover a count that grew between two pages.
	if b.maxCount > 0 {
		if need := (b.maxCount + b.minLen - 1) / b.minLen; b.pages > need+2 {
			return fmt.Errorf("page %d links a next page, but a count of %d needs %d pages of %d", b.pages, b.maxCount, need, b.minLen)
		}
	}
	return nil
}

// all returns an iterator over the items of every page, fetching each page only when the previous one has been
// consumed, so that one page is in memory at a time.
func (l *lister[W, T]) all(ctx context.Context) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for p, err := range l.pages(ctx) {
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range p.Results {
				if !yield(&p.Results[i], nil) {
					return
				}
			}
		}
	}
}
