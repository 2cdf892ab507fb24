import ast


def calculator(request):
    # ruleid: guard.python.code-injection
    return eval(request.args.get("expr", "0"))


def run_plugin(source):
    # ruleid: guard.python.code-injection
    exec(source, {})


def load_config(path, namespace):
    with open(path) as fh:
        # ruleid: guard.python.code-injection
        exec(compile(fh.read(), path, "exec"), namespace)


def parse(expr):
    # ok: guard.python.code-injection
    return ast.literal_eval(expr)


def constant():
    # ok: guard.python.code-injection
    return eval("1 + 2")
