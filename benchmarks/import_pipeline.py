"""Benchmark (not a test): the cost of the import pipeline per document, in real Odoo.

    /opt/odoo-venv/bin/python benchmarks/import_pipeline.py -c <odoo config> -d <database> [--n 2000]

The database must have ``prisolve_altinn`` installed and l10n_no available; the config must give an
addons path with this repository. The script ADDS a company "Altinn benchmark <time>" with the Norwegian
chart and its documents and entries to that database (use a throwaway copy).

Pipeline = what production does with fetched items: ``services.recording.record_items`` (the wizard's
step inside the SMS session: ledger rows + files, one transaction), then the scheduled action
``_cron_altinn_process`` (parse, book, commit per batch). The items are VAT payment notices
(betalingsinformasjon XML + the receipt PDF), each giving one draft entry of two lines.
Bare = the very same entries (journal, date, partner, reference, KID, narration, lines) made with ONE
batched ``account.move.create`` and one commit, in the same run, on the same data.

Phases: a warm-up of one batch (not measured); ``--rounds`` rounds (default 5) of the timed pipeline on N
new documents followed by bare on the same N entries (no tracemalloc: the ratio is wall-clock; the ratio
is the median of the rounds' ratios, so one disturbed round on a shared machine does not decide it);
then, with tracemalloc, the pipeline on N and on 2N new documents (query counts and Python peak memory;
tracemalloc does not change the number of queries). Queries are counted with the cursor's
``sql_log_count`` (every statement the pipeline's cursor sends).

Last line: ``ratio=<pipeline/bare> queries_per_doc_n=<q> queries_per_doc_2n=<q> peak_mb=<m>``
(targets: ratio <= 1.25; the same queries per document at N and 2N; peak memory flat from N to 2N;
peak_mb is the 2N run's peak).
"""

from __future__ import annotations

import argparse
import logging
import platform
import statistics
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ORG = "911158612"
SKATTEETATEN_ACCOUNT = "63450618162"
VAT_NS = "no:skatteetaten:fastsetting:avgift:mva:skattemeldingformerverdiavgift:betalingsinformasjon:v1.0"
FIRST_DUE = date(1970, 3, 1)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="database with prisolve_altinn installed")
    parser.add_argument("--n", type=int, default=2000, help="documents of the timed run (2N are run too)")
    parser.add_argument(
        "--batch-size", type=int, help="documents per committed cron batch (default: the scheduled action's)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed pipeline/bare rounds (median ratio)")
    parser.add_argument("--warmup", type=int, default=200, help="documents of the unmeasured warm-up")
    parser.add_argument("--addons-path", help="overrides the config's addons path")
    return parser.parse_args()


def vat_notice(number, kid):
    """The payment information of a debt of its own: its own due date (the debt's slot), KID and submission
    reference; its VAT term is the one that ended about 40 days before. Due dates run a day apart from
    1 March 1970, so the years stay inside the parser's 1970-2099 for up to about 47,000 documents."""
    from altinn_emulator.payloads import VAT_TERMS

    due = FIRST_DUE + timedelta(days=number)
    ended = due - timedelta(days=40)
    term, year = (ended.month - 1) // 2, ended.year
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<betalingsinformasjon xmlns="{VAT_NS}">
  <innsendingsreferanse>{number:08d}/bench</innsendingsreferanse>
  <skattepliktig><organisasjonsnummer>{ORG}</organisasjonsnummer></skattepliktig>
  <skattleggingsperiode><periode><skattleggingsperiodeToMaaneder>{VAT_TERMS[term]}</skattleggingsperiodeToMaaneder></periode>
    <aar>{year}</aar></skattleggingsperiode>
  <kundeidentifikasjonsnummer>{kid}</kundeidentifikasjonsnummer>
  <beloep>{1000 + number % 9000}.00</beloep>
  <betaleTil>Skatteetaten</betaleTil>
  <betalingsfrist>{due.isoformat()}</betalingsfrist>
  <betalesTilKonto><norskKontonummer>{SKATTEETATEN_ACCOUNT}</norskKontonummer></betalesTilKonto>
</betalingsinformasjon>""".encode()


def items(start, count):
    """Fetched items as a transport yields them: one at a time (never all in memory)."""
    from odoo.addons.prisolve_altinn.altinn.parsers.kid import make_kid_mod10
    from odoo.addons.prisolve_altinn.altinn.types import ROLE_ATTACHMENT, AltinnFile, AltinnItem

    for number in range(start, start + count):
        kid = make_kid_mod10(f"34{ORG}{number:06d}")
        yield AltinnItem(
            reference=f"BENCH{number:07d}",
            kind="message",
            reportee=ORG,
            title="Kvittering for mottatt skattemelding for merverdiavgift",
            transport="altinn2",
            service_code="4503",
            service_edition=2,
            sender="Skatteetaten",
            created=datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc),
            files=[
                AltinnFile(
                    "betalingsinformasjon.xml", "application/xml", vat_notice(number, kid), ROLE_ATTACHMENT
                ),
                AltinnFile("kvittering.pdf", "application/pdf", PDF + str(number).encode(), ROLE_ATTACHMENT),
            ],
        )


class Bench:
    def __init__(self, registry, batch_size):
        self.registry = registry
        self.batch_size = batch_size
        self.next_number = 0

    def env(self, cr, uid=None, company=None):
        from odoo import SUPERUSER_ID, api

        context = {"allowed_company_ids": [company]} if company else {}
        return api.Environment(cr, uid or SUPERUSER_ID, context)

    def setup_company(self, warmup):
        from odoo import Command

        with self.registry.cursor() as cr:
            env = self.env(cr)
            stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            company = env["res.company"].create(
                {
                    "name": f"Altinn benchmark {stamp}",
                    "country_id": env.ref("base.no").id,
                    "currency_id": env.ref("base.NOK").id,
                }
            )
            env["account.chart.template"].try_loading("no", company, install_demo=False)
            company.altinn_org_number = ORG
            admin = env.ref("base.user_admin")
            admin.write({"company_ids": [Command.link(company.id)]})
            cr.commit()
            self.company_id, self.user_id = company.id, admin.id
        # Warm-up, not measured: journal, tax partner, account map, bank account, registry caches.
        self.pipeline(warmup)

    def pipeline(self, count):
        """Record ``count`` new items as the person's wizard does, then run the scheduled booking."""
        try:
            from odoo.addons.prisolve_altinn.services.recording import record_items
        except ImportError:  # a release before 18.0.1.3.0 (issue 25), run for comparison

            def record_items(documents, company, items):
                return documents._altinn_record_items(company, items)

        start, self.next_number = self.next_number, self.next_number + count
        with self.registry.cursor() as cr:
            queries = cr.sql_log_count
            started = time.perf_counter()
            env = self.env(cr, self.user_id, self.company_id)
            company = env["res.company"].browse(self.company_id)
            documents = (
                env["altinn.document"]
                .with_company(company)
                .with_context(mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True)
            )
            new, _known, failures = record_items(documents, company, items(start, count))
            new_ids = new.ids
            cr.commit()
            self.env(cr)["altinn.document"]._cron_altinn_process(
                batch_size=self.batch_size, time_budget=10**6
            )
            cr.commit()
            elapsed = time.perf_counter() - started
            queries = cr.sql_log_count - queries
            # Checked in SQL: loading thousands of records here would count as the pipeline's memory.
            cr.execute(
                "SELECT state, count(*) FROM altinn_document WHERE id = ANY(%s) GROUP BY state", [new_ids]
            )
            states = dict(cr.fetchall())
            cr.execute(
                "SELECT id FROM account_move WHERE altinn_document_id = ANY(%s) ORDER BY id", [new_ids]
            )
            move_ids = [row[0] for row in cr.fetchall()]
            if failures or states != {"imported": count} or len(move_ids) != count:
                cr.execute(
                    "SELECT error FROM altinn_document WHERE id = ANY(%s) AND error IS NOT NULL", [new_ids]
                )
                first_error = (cr.fetchone() or [None])[0]
                raise SystemExit(
                    f"the pipeline did not book every document: {states}, {len(move_ids)} entries, "
                    f"{len(failures)} failures; first error: {first_error}"
                )
            return elapsed, queries, move_ids

    def bare(self, move_ids):
        """The same entries with one batched create (and one commit)."""
        with self.registry.cursor() as cr:
            env = self.env(cr, company=self.company_id)
            fields = [
                "journal_id",
                "date",
                "ref",
                "partner_id",
                "payment_reference",
                "partner_bank_id",
                "narration",
            ]
            line_fields = ["account_id", "partner_id", "name", "debit", "credit", "date_maturity"]
            moves = env["account.move"].browse(move_ids)
            lines = {}
            for line in moves.line_ids.read(["move_id", *line_fields], load=False):
                lines.setdefault(line["move_id"], []).append(line)
            vals_list = []
            for move in moves.read(fields, load=False):
                vals_list.append(
                    {
                        "move_type": "entry",
                        "company_id": self.company_id,
                        **{name: move[name] for name in fields},
                        "line_ids": [
                            (0, 0, {name: line[name] for name in line_fields}) for line in lines[move["id"]]
                        ],
                    }
                )
            cr.commit()
            env.invalidate_all()
            queries = cr.sql_log_count
            started = time.perf_counter()
            created = env["account.move"].with_company(self.company_id).create(vals_list)
            env.flush_all()
            cr.commit()
            elapsed = time.perf_counter() - started
            if len(created) != len(move_ids) or len(created.line_ids) != len(moves.line_ids):
                raise SystemExit("the bare run did not make the same entries")
            return elapsed, cr.sql_log_count - queries


def traced(bench, count):
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    _elapsed, queries, _moves = bench.pipeline(count)
    return queries, (tracemalloc.get_traced_memory()[1] - base) / 1024 / 1024


def main():
    args = parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import odoo
    from odoo.modules.registry import Registry

    options = ["-c", args.config, "-d", args.database]
    if args.addons_path:
        options.append(f"--addons-path={args.addons_path}")
    odoo.tools.config.parse_config(options)
    odoo.tools.config["test_enable"] = False  # the cron commits per batch, as in production
    logging.getLogger("odoo").setLevel(logging.WARNING)
    registry = Registry(args.database)
    with registry.cursor() as cr:
        cr.execute("SELECT 1 FROM ir_module_module WHERE name = 'prisolve_altinn' AND state = 'installed'")
        installed = cr.fetchone()
    if not installed:
        raise SystemExit(f"prisolve_altinn is not installed in {args.database}")

    bench = Bench(registry, args.batch_size)
    print(
        f"machine: {platform.node()} {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, Odoo {odoo.release.version}",
        flush=True,
    )
    started = time.perf_counter()
    bench.setup_company(args.warmup)
    print(f"setup (company, chart, warm-up): {time.perf_counter() - started:.1f} s", flush=True)

    n = args.n
    ratios = []
    queries_n = None
    for round_number in range(1, args.rounds + 1):
        pipeline_s, queries, move_ids = bench.pipeline(n)
        queries_n = queries if queries_n is None else queries_n
        bare_s, bare_queries = bench.bare(move_ids)
        ratios.append(pipeline_s / bare_s)
        print(
            f"round {round_number}: pipeline N={n} {pipeline_s:.2f} s ({pipeline_s / n * 1000:.1f} ms/doc, "
            f"{queries / n:.1f} queries/doc), bare {bare_s:.2f} s ({bare_s / n * 1000:.1f} ms/entry, "
            f"{bare_queries / n:.1f} queries/entry), ratio {ratios[-1]:.2f}",
            flush=True,
        )
    ratio = statistics.median(ratios)

    tracemalloc.start()
    queries_traced_n, peak_n = traced(bench, n)
    print(f"traced pipeline N={n}: {queries_traced_n / n:.2f} queries/doc, peak {peak_n:.1f} MB", flush=True)
    queries_2n, peak_2n = traced(bench, 2 * n)
    tracemalloc.stop()
    print(
        f"traced pipeline 2N={2 * n}: {queries_2n / (2 * n):.2f} queries/doc, peak {peak_2n:.1f} MB",
        flush=True,
    )
    print(
        f"ratio={ratio:.2f} queries_per_doc_n={queries_n / n:.2f} "
        f"queries_per_doc_2n={queries_2n / (2 * n):.2f} peak_mb={peak_2n:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
