#!/usr/bin/env python3
"""Derive tests/ingest/<seed>.expected.json from the demo's hand-entered plans.

The demo's plans (crates/demo/data/plans/*.json) were typed from the seed texts by
hand, every item with the line it came from ("003:36"). This script turns them into
what a reading of each seed should find: targets (line, year, value, category),
results, tasks (line, lead agency when the text names it), legal basis, budget
amounts, the reporting rule and places (villages of crates/demo/data/villages.tsv).
The appendix of plan 316/KH-UBND (Phụ biểu 01), of which the demo typed only some
rows, is listed whole, row by row, in APPENDIX_003 (read by eye from 003.txt).

Run once when the demo's plans change: python3 tests/ingest/derive_expected.py
"""
import csv, json, os, re

ROOT = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(ROOT, '..', '..', 'crates', 'demo', 'data')
PLANS = {
    '000': ['hn-2018-langnghe'],
    '001': ['hn-khuyencong-2011-2015', 'hn-khuyencong-2016-2020'],
    '002': ['hn-2017-thuong-hieu'],
    '003': ['lc-316-2022'],
}
# Seed 001 is a programme (2016-2020) that opens with the evaluation of the one
# before it (2011-2015): that one gives results only; the new one the rest.
RESULTS_ONLY = {'hn-khuyencong-2011-2015'}
# (line, year, value, category) of each figure of Phụ biểu 01; group rows (sums) are not targets.
APPENDIX_003 = [
    (418, 2025, 2, None), (418, 2030, 3, None),
    (428, 2025, 2, None), (428, 2030, 3, None),
    (448, 2025, 3, None), (448, 2030, 5, None),
    (458, 2025, 6, None), (458, 2030, 10, None),
    (468, 2025, 90, None), (468, 2030, 150, None),
    (488, 2025, 6, None), (488, 2030, 5, None),
    (508, 2025, 47, None), (508, 2030, 47, None),
    (554, 2025, 11, 'LN'), (554, 2025, 21, 'NTT'), (554, 2025, 13, 'LNTT'),
    (554, 2030, 8, 'LN'), (554, 2030, 32, 'NTT'), (554, 2030, 18, 'LNTT'),
    (572, 2025, 5, 'LN'), (572, 2025, 6, 'NTT'),
    (572, 2030, 5, 'LN'), (572, 2030, 5, 'NTT'), (572, 2030, 1, 'LNTT'),
    (590, 2025, 4, 'LN'), (590, 2030, 4, 'LN'), (590, 2030, 2, 'LNTT'),
    (608, 2025, 80, None), (608, 2030, 100, None),
    (618, 2025, 80, None), (618, 2030, 100, None),
    (628, 2025, 1, 'LN'), (628, 2030, 2, 'LN'),
    (646, 2030, 8, None),
    (654, 2025, 5, 'LN'), (654, 2025, 2, 'NTT'), (654, 2030, 2, 'LN'),
    (672, 2025, 1, None), (672, 2030, 1.5, None),
    (682, 2025, 100, None), (682, 2030, 100, None),
]


def first_line(source, seed):
    for part in (source or '').split(','):
        s, _, line = part.strip().partition(':')
        if s == seed and line.isdigit():
            return int(line)
    return None


def number(text):
    m = re.search(r'\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?', text or '')
    if not m:
        return None
    return float(m.group(0).replace('.', '').replace(',', '.'))


def year_of(milestone, plan):
    ys = re.findall(r'(?:19|20)\d{2}', milestone or '')
    if ys:
        return int(ys[-1])
    end = plan.get('period_end') or ''
    return int(end[:4]) if end[:4].isdigit() else None


def agencies():
    with open(os.path.join(DEMO, 'agencies.tsv'), encoding='utf-8') as f:
        return {r['key']: r for r in csv.DictReader(f, delimiter='\t')}


def main():
    ag = agencies()
    villages = list(csv.DictReader(open(os.path.join(DEMO, 'villages.tsv'), encoding='utf-8'), delimiter='\t'))
    for seed, keys in PLANS.items():
        exp = {'seed': seed, 'derived_from': [f'crates/demo/data/plans/{k}.json' for k in keys],
               'targets': [], 'results': [], 'tasks': [], 'legal_basis': [], 'budget': [],
               'reporting': [], 'places': [], 'agencies': []}
        used = set()
        for key in keys:
            plan = json.load(open(os.path.join(DEMO, 'plans', key + '.json'), encoding='utf-8'))
            for ind in plan.get('indicators', []):
                for t in ind.get('targets', []):
                    line = first_line(t.get('source'), seed)
                    if line is None or (seed == '003' and line >= 384):
                        continue
                    if key in RESULTS_ONLY:
                        continue
                    year = year_of(t.get('milestone'), plan)
                    if t.get('split') and all(p.get('key') in ('LN', 'NTT', 'LNTT') for p in t['split']):
                        for p in t['split']:
                            if p.get('by') == 'category':
                                exp['targets'].append({'line': first_line(p.get('source'), seed) or line, 'year': year,
                                                       'value': p.get('value'), 'category': p.get('key')})
                    else:
                        exp['targets'].append({'line': line, 'year': year, 'value': number(t.get('text')), 'category': None})
                for a in ind.get('actuals', []) or []:
                    line = first_line(a.get('source'), seed)
                    if line is not None and a.get('value') is not None:
                        exp['results'].append({'line': line, 'value': a['value']})
            for t in plan.get('tasks', []) if key not in RESULTS_ONLY else []:
                line = first_line(t.get('source'), seed)
                if line is None or (seed == '003' and line >= 384):
                    continue
                lead = None
                if t.get('lead') and not t.get('lead_inferred') and t['lead'] in ag:
                    lead = t['lead']
                    used.add(lead)
                exp['tasks'].append({'line': line, 'lead': lead})
            if key in RESULTS_ONLY:
                continue
            for d in plan.get('legal_basis', []):
                if d.get('number'):
                    exp['legal_basis'].append({'number': d['number']})
            for b in plan.get('budget', []):
                if b.get('planned_dong'):
                    exp['budget'].append({'amount_dong': b['planned_dong']})
            for r in plan.get('reporting', []):
                due = [d.lstrip('-') for d in (r.get('due') or [])]
                if due:
                    exp['reporting'].append({'due_dates': due})
        if seed == '003':
            exp['targets'] += [{'line': l, 'year': y, 'value': v, 'category': c} for (l, y, v, c) in APPENDIX_003]
        for v in villages:
            line = first_line(v.get('source'), seed)
            if line is not None:
                exp['places'].append({'line': line, 'name': v['name']})
        exp['agencies'] = [{'key': k, 'name': ag[k]['name'], 'short_name': ag[k].get('short_name') or None}
                           for k in sorted(ag) if k.startswith('lc-' if seed == '003' else 'hn-')]
        # A task listed twice in the demo (two records from one line) counts once.
        seen, tasks = set(), []
        for t in exp['tasks']:
            if t['line'] not in seen:
                seen.add(t['line'])
                tasks.append(t)
        exp['tasks'] = tasks
        with open(os.path.join(ROOT, f'{seed}.expected.json'), 'w', encoding='utf-8') as f:
            json.dump(exp, f, ensure_ascii=False, indent=1)
            f.write('\n')
        print(seed, {k: len(v) for k, v in exp.items() if isinstance(v, list)})


if __name__ == '__main__':
    main()
