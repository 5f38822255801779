package oncalltest

import (
	"net/http"

	"github.com/oncallsync/oncall-go/oncall"
)

// The read-only resources: providers and divisions.

func (s *Server) listProviders(c *call) *response {
	ids := sortedKeys(s.st.providers)
	return listPage(s, c.r, len(ids), func(i int) providerJSON { return s.renderProvider(s.st.providers[ids[i]]) })
}

func (s *Server) getProvider(c *call) *response {
	p := s.st.providers[oncall.ProviderID(c.id)]
	if p == nil {
		return notFound()
	}
	return jsonResponse(http.StatusOK, s.renderProvider(p))
}

func (s *Server) listDivisions(c *call) *response {
	ids := sortedKeys(s.st.divisions)
	return listPage(s, c.r, len(ids), func(i int) divisionJSON { return s.renderDivision(s.st.divisions[ids[i]]) })
}

func (s *Server) getDivision(c *call) *response {
	d := s.st.divisions[oncall.DivisionID(c.id)]
	if d == nil {
		return notFound()
	}
	return jsonResponse(http.StatusOK, s.renderDivision(d))
}
