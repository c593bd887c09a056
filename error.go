package diembao

import (
	"errors"
	"fmt"
)

// Error codes users see.
const (
	ECONFLICT       = "conflict"
	EINTERNAL       = "internal"
	EINVALID        = "invalid"
	ENOTFOUND       = "not_found"
	ENOTIMPLEMENTED = "not_implemented"
	EUNAVAILABLE    = "unavailable"
	EUNAUTHORIZED   = "unauthorized"
)

// Error is an error whose message is meant for users. Other errors are
// internal: they are logged and reported to users as EINTERNAL.
type Error struct {
	// Code is one of the E* constants.
	Code string
	// Message is a short sentence for users.
	Message string
	// Pos is a byte position in the user's input the error points at (for
	// query syntax errors), or -1.
	Pos int
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("diembao error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Pos: -1}
}

// ErrorCode returns the code of err: the code of the first *Error in its
// chain, EINTERNAL for any other error, "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the message of the
// first *Error in its chain, or "Internal error." for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
