package shop

import "os"

func writeExport(path string, data []byte) error {
	// ruleid: guard.go.permissive-file-permissions
	return os.WriteFile(path, data, 0777)
}

func writeExportOK(path string, data []byte) error {
	// ok: guard.go.permissive-file-permissions
	return os.WriteFile(path, data, 0600)
}
