// Generates the prompt fixtures in this folder (cases.json and expected/*.txt) OFFLINE.
//
// Chat-template cases are rendered by @huggingface/jinja, the JavaScript Jinja engine Hugging
// Face wrote to match transformers' apply_chat_template (Jinja with trim_blocks=true and
// lstrip_blocks=true), from the real template texts in templates/. The plain, few-shot and
// user-template cases are built here by an implementation written independently of the C++
// one (core/data/prompt_format.cpp), from the MMLU CSVs parsed by the small parser below.
//
// Usage (from the repository root; the package is NOT a dependency of the project):
//   mkdir -p /tmp/jinja-gen
//   (cd /tmp/jinja-gen && npm init -y && npm install @huggingface/jinja@0.5.11)
//   node tests/data/prompts/render_expected.mjs /tmp/jinja-gen
// Then, optionally, cross-check with Python's jinja2 (the engine transformers itself uses):
//   python3 tests/data/prompts/check_with_jinja2.py
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const jinjaDir = path.resolve(process.argv[2] ?? "/tmp/jinja-gen");
const require = createRequire(path.join(jinjaDir, "package.json"));
const { Template } = require("@huggingface/jinja");
const jinjaVersion = JSON.parse(fs.readFileSync(
  path.join(jinjaDir, "node_modules/@huggingface/jinja/package.json"), "utf8")).version;

// --- MMLU rows: RFC 4180 parser (quoted fields, doubled quotes, line breaks inside quotes) ---
function parseCsv(text) {
  const rows = [];
  let row = [], field = "", i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"' && field === "") { quoted = true; i++; continue; }
    if (c === ",") { row.push(field); field = ""; i++; continue; }
    if (c === "\r" || c === "\n") {
      row.push(field); field = "";
      rows.push(row); row = [];
      i += (c === "\r" && text[i + 1] === "\n") ? 2 : 1;
      continue;
    }
    field += c; i++;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function mmluItem(dir, subject, split, rowIndex) {
  const file = path.join(repo, dir, `${subject}_${split}.csv`);
  const rows = parseCsv(fs.readFileSync(file, "utf8"));
  const r = rows[rowIndex];
  if (!r || r.length !== 6) throw new Error(`${file}: row ${rowIndex} is not a 6-field row`);
  return { id: `${subject}/${split}/${rowIndex}`, subject, question: r[0], choices: r.slice(1, 5),
           answer: "ABCD".indexOf(r[5]) };
}
const dev = (subject, row) => mmluItem("resources/demo/mmlu/dev", subject, "dev", row);
const test = (subject, row) => mmluItem("tests/data/mmlu/test", subject, "test", row);

// The authors' zero-shot body (router_lens.py):
//   f"Question: {text}\nChoices:\n" + "".join(f"{chr(65+i)}. {choice}\n" ...) + "Answer:"
function authorsBody(item) {
  let s = `Question: ${item.question}\nChoices:\n`;
  item.choices.forEach((c, i) => { s += `${String.fromCharCode(65 + i)}. ${c}\n`; });
  return s + "Answer:";
}

// 5-shot: MMLU header, the subject's first five dev rows less the target itself, each followed
// by " {letter}\n\n", then the target's body (layout documented in docs/prompts.md).
function fewShot(target) {
  const shots = [0, 1, 2, 3, 4].map((r) => dev(target.subject, r))
    .filter((s) => !(s.question === target.question &&
                     JSON.stringify(s.choices) === JSON.stringify(target.choices)));
  let s = `The following are multiple choice questions (with answers) about ` +
          `${target.subject.split("_").join(" ")}.\n\n`;
  for (const shot of shots) s += authorsBody(shot) + " " + "ABCD"[shot.answer] + "\n\n";
  return s + authorsBody(target);
}

// --- templates (real texts, copied beside this script) ---
const templates = {
  "tulu": {
    file: "templates/olmoe-instruct/chat_template.jinja",
    text: fs.readFileSync(path.join(here, "templates/olmoe-instruct/chat_template.jinja"), "utf8"),
    bos_token: "<|endoftext|>", eos_token: "<|endoftext|>",
  },
  "qwen3": {
    file: "templates/qwen3/tokenizer_config.json",
    text: JSON.parse(fs.readFileSync(path.join(here, "templates/qwen3/tokenizer_config.json"),
                                     "utf8")).chat_template,
    bos_token: null, eos_token: "<|im_end|>",
  },
  "deepseek-v2": {
    file: "templates/deepseek-v2/deepseek-v2.chat_template.jinja",
    text: fs.readFileSync(path.join(here, "templates/deepseek-v2/deepseek-v2.chat_template.jinja"),
                          "utf8"),
    bos_token: "<\uff5cbegin\u2581of\u2581sentence\uff5c>",
    eos_token: "<\uff5cend\u2581of\u2581sentence\uff5c>",
  },
};

// Text that must pass through a template untouched: template syntax, special-token strings,
// non-ASCII, CRLF, leading/trailing whitespace and blank lines.
const hardText = "  {prompt} {{ bos_token }} {% if x %}<|im_end|><|user|>\r\nUser: caf\u00e9 " +
                 "\u4e2d\u6587 \ud83d\ude42\ttab\n\n";
const system = "You are a helpful assistant.";

const cases = [];
function chatCase(name, template, user, opts = {}) {
  const t = templates[template];
  const messages = [];
  if (opts.system) messages.push({ role: "system", content: opts.system });
  messages.push({ role: "user", content: user.text });
  const context = { messages, add_generation_prompt: true };
  if (t.bos_token !== null) context.bos_token = t.bos_token;
  if (t.eos_token !== null) context.eos_token = t.eos_token;
  if (opts.enable_thinking !== undefined) context.enable_thinking = opts.enable_thinking;
  const rendered = new Template(t.text).render(context);
  fs.writeFileSync(path.join(here, "expected", `${name}.txt`), rendered);
  cases.push({ name, kind: "chat", template, template_file: t.file,
               bos_token: t.bos_token, eos_token: t.eos_token,
               system: opts.system ?? null, user_item: user.item ?? null, user: user.text,
               enable_thinking: opts.enable_thinking ?? null, expected: `expected/${name}.txt` });
}
function textCase(name, kind, text, extra) {
  fs.writeFileSync(path.join(here, "expected", `${name}.txt`), text);
  cases.push({ name, kind, ...extra, expected: `expected/${name}.txt` });
}

const algebra = dev("abstract_algebra", 0);
const usHistory = dev("high_school_us_history", 0);   // quotes and line breaks
const collegeMath = dev("college_mathematics", 2);    // a CRLF inside a quoted field
if (!collegeMath.question.includes("\r\n")) {
  throw new Error("expected a CRLF in college_mathematics/dev/2");
}
const body = (item) => ({ item: item.id, text: authorsBody(item) });

chatCase("tulu_user", "tulu", body(algebra));
chatCase("tulu_system_user", "tulu", body(usHistory), { system });
chatCase("tulu_hard_text", "tulu", { text: hardText });
chatCase("qwen3_user", "qwen3", body(algebra));
chatCase("qwen3_user_thinking_true", "qwen3", body(algebra), { enable_thinking: true });
chatCase("qwen3_user_thinking_false", "qwen3", body(algebra), { enable_thinking: false });
chatCase("qwen3_system_user_thinking_false", "qwen3", body(collegeMath),
         { system, enable_thinking: false });
chatCase("qwen3_system_user", "qwen3", body(usHistory), { system });
chatCase("qwen3_hard_text", "qwen3", { text: hardText }, { enable_thinking: false });
chatCase("qwen3_tool_response_text", "qwen3", { text: "<tool_response>\n42\n</tool_response>" });
chatCase("deepseek_v2_user", "deepseek-v2", body(algebra));
chatCase("deepseek_v2_system_user", "deepseek-v2", body(usHistory), { system });
chatCase("deepseek_v2_hard_text", "deepseek-v2", { text: hardText });

textCase("plain_abstract_algebra_dev_0", "plain", authorsBody(algebra), { item: algebra.id });
textCase("plain_college_mathematics_dev_2", "plain", authorsBody(collegeMath),
         { item: collegeMath.id });
const algebraTest = test("abstract_algebra", 0);
textCase("fewshot_abstract_algebra_test_0", "fewshot", fewShot(algebraTest),
         { item: algebraTest.id, split: "test" });
const historyDev = dev("high_school_us_history", 2);  // a dev item: 4 shots, never itself
textCase("fewshot_high_school_us_history_dev_2", "fewshot", fewShot(historyDev),
         { item: historyDev.id, split: "dev" });
const userTemplate = "<s>[INST] {prompt} [/INST] The answer is";
textCase("template_inst_abstract_algebra_dev_0", "template",
         userTemplate.split("{prompt}").join(authorsBody(algebra)),
         { item: algebra.id, user_template: userTemplate });

fs.writeFileSync(path.join(here, "cases.json"), JSON.stringify({
  generator: "tests/data/prompts/render_expected.mjs",
  renderer: `@huggingface/jinja ${jinjaVersion} (trim_blocks, lstrip_blocks as its defaults)`,
  cases,
}, null, 2) + "\n");
console.log(`wrote ${cases.length} cases with @huggingface/jinja ${jinjaVersion}`);
