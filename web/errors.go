package web

import "github.com/socle/socle/internal/errs"

// errBadParam answers page URLs whose parameters are too long or malformed.
var errBadParam = errs.E(errs.Invalid, "paramètres de page invalides")
