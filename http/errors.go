package http

import (
	"context"
	"errors"
	"net/http"

	"github.com/diembao/diembao"
)

// statusOf returns the HTTP status for an error code of the root package.
func statusOf(code string) int {
	switch code {
	case diembao.EINVALID:
		return http.StatusBadRequest
	case diembao.ENOTFOUND:
		return http.StatusNotFound
	case diembao.ECONFLICT:
		return http.StatusConflict
	case diembao.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case diembao.ENOTIMPLEMENTED:
		return http.StatusNotImplemented
	case diembao.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// userError is what users are told of an error: its code, its HTTP status,
// a message and, for query syntax errors, the byte position in the query.
type userError struct {
	Code    string
	Status  int
	Message string
	// Pos is the byte position the error points at, or -1.
	Pos int
}

// classify turns err into what users may see. Errors that are not
// *diembao.Error are internal: they are logged with the request and reported
// with a generic message, so that no cause ever leaks to users. A deadline
// that ran out is reported as the service being unavailable.
func (s *Server) classify(r *http.Request, err error) userError {
	var de *diembao.Error
	switch {
	case errors.As(err, &de):
		ue := userError{Code: de.Code, Status: statusOf(de.Code), Message: de.Message, Pos: -1}
		if de.Code == diembao.EINVALID && de.Pos >= 0 {
			ue.Pos = de.Pos
		}
		if ue.Status == http.StatusInternalServerError {
			s.logger.Error("http: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			ue.Code = diembao.EINTERNAL
			ue.Message = "Internal error."
		}
		if ue.Message == "" {
			ue.Message = http.StatusText(ue.Status) + "."
		}
		return ue
	case errors.Is(err, context.DeadlineExceeded):
		s.logger.Warn("http: request timed out", "method", r.Method, "path", r.URL.Path, "err", err)
		return userError{Code: diembao.EUNAVAILABLE, Status: http.StatusServiceUnavailable,
			Message: "The request took too long; try a narrower query.", Pos: -1}
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		s.logger.Debug("http: request cancelled", "method", r.Method, "path", r.URL.Path)
		return userError{Code: diembao.EUNAVAILABLE, Status: http.StatusServiceUnavailable,
			Message: "The request was cancelled.", Pos: -1}
	default:
		s.logger.Error("http: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		return userError{Code: diembao.EINTERNAL, Status: http.StatusInternalServerError,
			Message: "Internal error.", Pos: -1}
	}
}
