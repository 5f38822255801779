package oncalltest

import (
	"net/http"
	"net/url"
	"strconv"
)

// pageJSON is the listing envelope.
type pageJSON[T any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

// window is one page of a listing of n items.
type window struct {
	lo, hi     int
	next, prev *string
}

// paginate works out the page a listing request asks for, as Django REST Framework's PageNumberPagination does:
// page_size that is not a positive integer gives the default size and one above the maximum is lowered to it;
// page may be a number or "last", and one out of range is a 404 {"detail": "Invalid page."} (except page 1 of
// an empty listing). The next and previous links are absolute URLs on the server, keeping every other query
// parameter; the previous link of page 2 has no page parameter.
func (s *Server) paginate(r *http.Request, n int) (window, *response) {
	q := r.URL.Query()
	size := s.pageSize
	if v, err := strconv.Atoi(q.Get("page_size")); err == nil && v > 0 {
		size = min(v, s.maxPageSize)
	}
	pages := max(1, (n+size-1)/size)
	page := 1
	if v := q.Get("page"); v != "" {
		if v == "last" {
			page = pages
		} else if p, err := strconv.Atoi(v); err == nil && p >= 1 && p <= pages {
			page = p
		} else {
			return window{}, detailResponse(http.StatusNotFound, "Invalid page.")
		}
	}
	w := window{lo: min((page-1)*size, n), hi: min(page*size, n)}
	link := func(p int) *string {
		lq := url.Values{}
		for k, vs := range q {
			lq[k] = vs
		}
		if p == 1 {
			lq.Del("page")
		} else {
			lq.Set("page", strconv.Itoa(p))
		}
		u := s.base + r.URL.Path
		if len(lq) > 0 {
			u += "?" + lq.Encode()
		}
		return &u
	}
	if page < pages {
		w.next = link(page + 1)
	}
	if page > 1 {
		w.prev = link(page - 1)
	}
	return w, nil
}

// listPage answers a listing request of n items with the page it asks for, rendering only that page's items.
func listPage[T any](s *Server, r *http.Request, n int, item func(i int) T) *response {
	w, errResp := s.paginate(r, n)
	if errResp != nil {
		return errResp
	}
	results := make([]T, 0, w.hi-w.lo)
	for i := w.lo; i < w.hi; i++ {
		results = append(results, item(i))
	}
	return jsonResponse(http.StatusOK, pageJSON[T]{Count: n, Next: w.next, Previous: w.prev, Results: results})
}
