import logging

log = logging.getLogger("shop")


def record_order(email, card_number, order_id, total):
    # ruleid: guard.python.log-personal-data
    log.info("new order from %s paid with card %s", email, card_number)
    # ok: guard.python.log-personal-data
    log.info("new order %s total=%.2f", order_id, total)


def charge(customer, cvv):
    # ruleid: guard.python.log-personal-data
    logging.debug("charging %s cvv=%s", customer.id, cvv)
    # ok: guard.python.log-personal-data
    logging.debug("charging customer %s", customer.id)


def debug_signup(form):
    # ruleid: guard.python.log-personal-data
    print("signup", form.email)
