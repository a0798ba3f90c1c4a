// Package errs is Socle's one error vocabulary: a closed set of kinds that
// every layer wraps its failures in, and that the HTTP and CLI layers map to
// status codes and exit codes in one place each.
//
// Messages carried by an *Error are safe to show to callers; the wrapped
// cause (Err) may hold internal detail and is only logged.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for callers. The zero value is Internal.
type Kind int

// The kinds. Keep the set closed: add one only when a caller must react
// differently to it.
const (
	Internal     Kind = iota // a bug or an infrastructure failure
	Invalid                  // the caller sent something malformed
	NotFound                 // the thing does not exist, or the caller may not see it
	Conflict                 // the thing exists already or changed underneath
	Unauthorized             // no or bad credentials
	Forbidden                // credentials fine, permission missing (on something visible)
	TooLarge                 // an input exceeds a limit
	Unavailable              // try again later (shutting down, overloaded)
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not_found"
	case Conflict:
		return "conflict"
	case Unauthorized:
		return "unauthorized"
	case Forbidden:
		return "forbidden"
	case TooLarge:
		return "too_large"
	case Unavailable:
		return "unavailable"
	}
	return "internal"
}

// Error is a classified error with a message safe for clients.
type Error struct {
	Kind    Kind
	Code    string // optional machine-readable code for an API's error shape
	Message string // safe to show to the caller
	Err     error  // optional cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an *Error of kind k with a formatted, client-safe message.
func E(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap classifies cause under kind k with a client-safe message.
func Wrap(k Kind, cause error, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...), Err: cause}
}

// KindOf reports the kind of the first *Error in err's chain, Internal if none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Message returns the client-safe message of err: the message of the first
// *Error in its chain, or a generic text for unclassified errors so that
// internal details never leak.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Message
	}
	return "internal error"
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// WithCode returns an *Error of kind k carrying an API-specific code, e.g.
// Opendatasoft's InvalidRESTParameterError.
func WithCode(k Kind, code, format string, args ...any) *Error {
	return &Error{Kind: k, Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain that has one.
func CodeOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Code != "" {
			return e.Code
		}
		err = e.Err
	}
	return ""
}
