#!/usr/bin/env python3
"""Writes the .xlsx twins of the worked-example tables the way the authors' scripts write
theirs: pandas DataFrame.to_excel (openpyxl engine). Run once with Debian's python3-pandas and
python3-openpyxl; the outputs are committed, the tests never run this.

    cd tests/data/authors && /usr/bin/python3 make_xlsx.py
"""
import pandas as pd

for name in ["worked_example_input", "worked_example_long"]:
    df = pd.read_csv(name + ".csv")
    df.to_excel(name + ".xlsx", index=False)
# pandas' default also writes the index as an unnamed first column; read back it is ignored.
pd.read_csv("worked_example_input.csv").to_excel("worked_example_input_with_index.xlsx")

for name in ["worked_example_input", "worked_example_long", "worked_example_input_with_index"]:
    back = pd.read_excel(name + ".xlsx")
    print(name, list(back.columns), back.dtypes.to_dict())
