package shop;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.persistence.EntityManager;
import org.springframework.jdbc.core.JdbcTemplate;

class Users {
  ResultSet byEmail(Connection conn, String email) throws Exception {
    Statement stmt = conn.createStatement();
    // ruleid: guard.java.sql-injection
    return stmt.executeQuery("SELECT id, name FROM users WHERE email = '" + email + "'");
  }

  int delete(Connection conn, String id) throws Exception {
    String sql = "DELETE FROM users WHERE id = " + id;
    // ruleid: guard.java.sql-injection
    return conn.createStatement().executeUpdate(sql);
  }

  Object byName(EntityManager em, String name) {
    // ruleid: guard.java.sql-injection
    return em.createQuery(String.format("from User u where u.name = '%s'", name)).getResultList();
  }

  Integer count(JdbcTemplate jdbc, String table) {
    // ruleid: guard.java.sql-injection
    return jdbc.queryForObject("select count(*) from " + table, Integer.class);
  }

  ResultSet byEmailOK(Connection conn, String email) throws Exception {
    // ok: guard.java.sql-injection
    PreparedStatement ps = conn.prepareStatement("SELECT id, name FROM users WHERE email = ?");
    ps.setString(1, email);
    // ok: guard.java.sql-injection
    return ps.executeQuery();
  }

  void save(JdbcTemplate jdbc, Object params) {
    // ok: guard.java.sql-injection
    jdbc.update(
        "INSERT INTO users(username, password, admin)"
            + " VALUES(:username,:password,:admin)"
            + " ON CONFLICT DO NOTHING",
        params);
  }

  void log(java.util.List<String> lines, String user) {
    // ok: guard.java.sql-injection
    lines.add("user " + user + " selected from the menu");
  }
}

class Thumbs {
  Process resize(String name) throws Exception {
    // ruleid: guard.java.command-injection
    return Runtime.getRuntime().exec("convert uploads/" + name + " -resize 128x128 thumb.png");
  }

  Process resizeShell(String name) throws Exception {
    // ruleid: guard.java.command-injection
    return new ProcessBuilder("sh", "-c", "convert uploads/" + name + " thumb.png").start();
  }

  Process resizeOK(String name) throws Exception {
    // ok: guard.java.command-injection
    return new ProcessBuilder("convert", "uploads/" + name, "-resize", "128x128", "thumb.png").start();
  }

  Process fixed() throws Exception {
    // ok: guard.java.command-injection
    return new ProcessBuilder("sh", "-c", "ls -l /tmp").start();
  }
}
