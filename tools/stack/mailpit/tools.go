//go:build tools

// Package tools pins Mailpit, the local SMTP sink of the lltp-flow stack, so that its
// build is verified against this module's go.sum (the checksum database does not
// know this version).
package tools

import _ "github.com/axllent/mailpit"
