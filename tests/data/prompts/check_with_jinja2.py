"""Cross-checks the chat-template fixtures with Python's jinja2, the engine transformers'
apply_chat_template uses, configured as transformers configures it (ImmutableSandboxedEnvironment
with trim_blocks=True, lstrip_blocks=True and the loopcontrols extension).

The fixtures themselves are written by render_expected.mjs (@huggingface/jinja); this script only
reads them and exits non-zero on any difference. Needs python3-jinja2 (Debian); run from anywhere:
    python3 tests/data/prompts/check_with_jinja2.py
"""
import json
import pathlib
import sys

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

here = pathlib.Path(__file__).resolve().parent
cases = json.loads((here / "cases.json").read_text(encoding="utf-8"))["cases"]


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                    extensions=["jinja2.ext.loopcontrols"])
env.globals["raise_exception"] = raise_exception


def template_text(case):
    path = here / case["template_file"]
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))["chat_template"]
    return path.read_bytes().decode("utf-8")


failures = 0
checked = 0
for case in cases:
    if case["kind"] != "chat":
        continue
    messages = []
    if case["system"] is not None:
        messages.append({"role": "system", "content": case["system"]})
    messages.append({"role": "user", "content": case["user"]})
    context = {"messages": messages, "add_generation_prompt": True}
    for token in ("bos_token", "eos_token"):
        if case[token] is not None:
            context[token] = case[token]
    if case["enable_thinking"] is not None:
        context["enable_thinking"] = case["enable_thinking"]
    rendered = env.from_string(template_text(case)).render(**context)
    expected = (here / case["expected"]).read_bytes().decode("utf-8")
    checked += 1
    if rendered != expected:
        failures += 1
        print(f"MISMATCH {case['name']}:\n  jinja2: {rendered!r}\n  fixture: {expected!r}")

print(f"jinja2 {jinja2.__version__}: {checked - failures}/{checked} chat fixtures agree")
sys.exit(1 if failures else 0)
