import ldap
from ldap.filter import escape_filter_chars


def find_user(conn, username):
    # ruleid: guard.python.ldap-injection
    return conn.search_s("ou=people,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + username + ")")


def find_user_ok(conn, username):
    # ok: guard.python.ldap-injection
    return conn.search_s("ou=people,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=%s)" % escape_filter_chars(username))


def product(tree, sku):
    # ruleid: guard.python.xpath-injection
    return tree.xpath(f"//product[@sku='{sku}']")


def product_ok(tree, sku):
    # ok: guard.python.xpath-injection
    return tree.xpath("//product[@sku=$sku]", sku=sku)
