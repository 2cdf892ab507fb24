package shop

import (
	"database/sql"
	"fmt"
	"os/exec"
)

func findUser(db *sql.DB, email string) (*sql.Rows, error) {
	// ruleid: guard.go.sql-injection
	return db.Query(fmt.Sprintf("SELECT id, name FROM users WHERE email = '%s'", email))
}

func deleteProduct(db *sql.DB, id string) error {
	q := "DELETE FROM products WHERE id = " + id
	// ruleid: guard.go.sql-injection
	_, err := db.Exec(q)
	return err
}

func findUserOK(db *sql.DB, email string) (*sql.Rows, error) {
	// ok: guard.go.sql-injection
	return db.Query("SELECT id, name FROM users WHERE email = $1", email)
}

func thumbnail(name string) error {
	// ruleid: guard.go.command-injection
	return exec.Command("sh", "-c", "convert uploads/"+name+" -resize 128x128 thumb.png").Run()
}

func thumbnailOK(name string) error {
	// ok: guard.go.command-injection
	return exec.Command("convert", "uploads/"+name, "-resize", "128x128", "thumb.png").Run()
}
