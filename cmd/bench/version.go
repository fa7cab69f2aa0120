package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

const versionSynopsis = `version [--hash]

Prints the build's hash: the SHA-256 of this executable, which a multi-host run compares
with the bench on each host before it copies itself there.`

func runVersion(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", versionSynopsis, stdout)
	fs.Bool("hash", true, "print the executable's SHA-256 (the default)")
	if err := fs.parse(args); err != nil {
		return ignoreHelp(err)
	}
	h, err := executableHash()
	if err != nil {
		return fmt.Errorf("version: %w", err)
	}
	fmt.Fprintln(stdout, h)
	return nil
}

// executableHash is the SHA-256 of os.Executable(), in hex.
func executableHash() (string, error) {
	path, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
