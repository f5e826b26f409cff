# %% [markdown]
# # Assessing a posture from Python
#
# A notebook in the percent format (Jupyter, VS Code and `jupytext` open it as cells; plain
# `python examples/assess_in_python.py` runs it top to bottom). It loads the built-in United
# States / Russia scenario, asks a what-if question, and reads the results as pandas tables.

# %%
import glasnost

scenario = glasnost.builtin("us-ru")
print(scenario.summary())

# %% [markdown]
# What if the Ground-Based Interceptor were slower? Overrides use the `--set` syntax of the
# command line: a dotted path, list items by their id.

# %%
slower = glasnost.builtin(
    "us-ru", overrides=["interceptor_types.gbi_3stage.burnout_velocity_kms=5.0"]
)
result = glasnost.assess(slower, date="2025-01-01")
print("verdict:", result.verdict_label)

# %% [markdown]
# Every result as a DataFrame: `engagements`, `routes`, `sites`, `capacity`, `criteria`.

# %%
frames = glasnost.to_dataframes(result)
criteria = frames["criteria"][["id", "subject", "value", "threshold", "passed"]]
print(criteria.to_string(index=False))

# %%
sites = frames["sites"].query("count > 0")  # sites with interceptors, closest to engaging first
closest = sites.sort_values("best_margin_kms").head(5)
print(closest[["defender", "site", "count", "routes_engageable", "best_margin_kms"]].to_string())

# %%
engaged = frames["engagements"].query("feasible")
by_site = engaged.groupby(["defender", "site"]).size().rename("routes engageable")
print(by_site.sort_values(ascending=False).to_string())
