"""cydradd: a Welsh public body's HR and payroll extracts -> its statutory equality report, in Welsh and English."""

__version__ = "0.1.0"
