package oncalltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// response is an answer the server has built but not yet sent, so that a fault can still replace or drop it.
type response struct {
	status int
	header http.Header
	body   []byte
	// committed reports that the request changed the server's state.
	committed bool
}

func newResponse(status int, contentType string, body []byte) *response {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &response{status: status, header: h, body: body}
}

// jsonResponse encodes v compactly and without HTML escaping, as Django REST Framework's renderer does.
func jsonResponse(status int, v any) *response {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only the server's own values are encoded here; failing to encode one is a bug in this package.
		return newResponse(http.StatusInternalServerError, "text/plain; charset=utf-8",
			[]byte("oncalltest: encoding a response: "+err.Error()+"\n"))
	}
	return newResponse(status, "application/json", bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// detailResponse is Django REST Framework's {"detail": "..."}.
func detailResponse(status int, detail string) *response {
	return jsonResponse(status, map[string]string{"detail": detail})
}

// errorResponse is {"error": "..."}, the shape OnCall's own client reads for a refused appointment write.
func errorResponse(status int, msg string) *response {
	return jsonResponse(status, map[string]string{"error": msg})
}

// messagesResponse is ["..."], the shape OnCall's own client reads for a refused appointment update.
func messagesResponse(status int, msgs ...string) *response {
	return jsonResponse(status, msgs)
}

// fieldErrorResponse is Django REST Framework's {"field": ["..."]}.
func fieldErrorResponse(fe fieldErrors) *response {
	return jsonResponse(http.StatusBadRequest, fe)
}

// notFound is Django REST Framework's 404 for an unknown id.
func notFound() *response { return detailResponse(http.StatusNotFound, "Not found.") }

// djangoPage is the HTML page Django sends for a 404 outside the API's routes, or a 500.
func djangoPage(status int) *response {
	title, text := "Not Found", "The requested resource was not found on this server."
	if status != http.StatusNotFound {
		title, text = fmt.Sprintf("Server Error (%d)", status), ""
	}
	page := fmt.Sprintf("<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>%s</title>\n</head>\n<body>\n"+
		"  <h1>%s</h1><p>%s</p>\n</body>\n</html>\n", title, title, text)
	return newResponse(status, "text/html; charset=utf-8", []byte(page))
}

// proxyPage is the HTML page a reverse proxy in front of the API sends for 502, 503 and 504.
func proxyPage(status int) *response {
	line := fmt.Sprintf("%d %s", status, http.StatusText(status))
	page := fmt.Sprintf("<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n"+
		"</body>\r\n</html>\r\n", line, line)
	return newResponse(status, "text/html", []byte(page))
}

// throttled is Django REST Framework's 429, with the wait in whole seconds in Retry-After and in the text.
func throttled(wait int) *response {
	unit := "seconds"
	if wait == 1 {
		unit = "second"
	}
	r := detailResponse(http.StatusTooManyRequests,
		fmt.Sprintf("Request was throttled. Expected available in %d %s.", wait, unit))
	r.header.Set("Retry-After", fmt.Sprint(wait))
	return r
}
