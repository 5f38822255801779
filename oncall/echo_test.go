package oncall

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/jarcoal/httpmock"
)

// echoWrite returns the JSON of canned (an appointment as a server sends it, on root) with the fields of a write
// applied, as a server that stores every field would answer it: the scalar fields and metadata replaced, and
// participants given URLs (a new one gets <root>participants/<id*100+n>/). Tests whose subject is not write
// verification answer writes with it, so that the client's check of the answer passes.
func echoWrite(canned string, write []byte, root string, id int) string {
	var out, in map[string]any
	dec := json.NewDecoder(bytes.NewReader([]byte(canned)))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		panic(fmt.Sprintf("echoWrite: canned answer: %v", err))
	}
	dec = json.NewDecoder(bytes.NewReader(write))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		panic(fmt.Sprintf("echoWrite: write: %v", err))
	}
	for _, k := range []string{"title", "type", "datetime", "duration", "division", "provider", "status", "cancelled", "metadata"} {
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
	if ps, ok := in["participants"].([]any); ok {
		for n, p := range ps {
			m := p.(map[string]any)
			if _, ok := m["url"]; !ok {
				m["url"] = fmt.Sprintf("%sparticipants/%d/", root, id*100+n+1)
			}
			m["appointment"] = fmt.Sprintf("%sappointments/%d/", root, id)
			if _, ok := m["cancelled"]; !ok {
				m["cancelled"] = false
			}
		}
		out["participants"] = ps
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(fmt.Sprintf("echoWrite: %v", err))
	}
	return string(b)
}

// netEcho answers a write with status and canned with the write applied (see echoWrite).
func netEcho(status int, canned, root string, id int) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		var body bytes.Buffer
		if req.Body != nil {
			_, _ = body.ReadFrom(req.Body)
		}
		resp := httpmock.NewStringResponse(status, echoWrite(canned, body.Bytes(), root, id))
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	}
}
