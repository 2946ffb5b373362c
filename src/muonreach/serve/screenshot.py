"""A screenshot of the explorer (``muonreach serve --screenshot FILE.png``, used by the README), taken with
headless Chromium through selenium and the system's chromedriver (Debian: ``chromium``, ``chromium-driver``).
The browser tests drive the page with the same :func:`chrome`."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from ..errors import InvalidParameter
from ..outputs import write_bytes

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: What the page sets once every layer of the view is drawn (or the view failed).
DRAWN = "window.muonreach && window.muonreach.ready"


def chrome(width: int = 1500, height: int = 950):
    """A headless Chromium WebDriver (selenium is given the browser and driver paths: it downloads nothing)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise InvalidParameter("the screenshot needs selenium (pip install selenium)") from None
    binary = next((p for p in map(shutil.which, BROWSERS) if p), None)
    driver = shutil.which("chromedriver")
    if binary is None or driver is None:
        raise InvalidParameter("a headless browser is needed: install Chromium and its driver "
                               "(Debian: apt-get install chromium chromium-driver; `make browser` does it)")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}"):
        options.add_argument(arg)
    options.binary_location = binary
    return webdriver.Chrome(service=Service(driver), options=options)


def wait_for(driver, script: str, timeout: float) -> object:
    """Poll a JavaScript expression until it is truthy; InvalidParameter after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = driver.execute_script(f"return {script}")
        if value:
            return value
        time.sleep(0.1)
    status = driver.execute_script("const s = document.getElementById('status'); return s ? s.textContent : ''")
    raise InvalidParameter(f"the explorer page did not get there within {timeout:g} s (status: {status!r})")


def screenshot(url: str, out: str | Path, timeout: float = 300.0) -> Path:
    """Open the explorer at ``url``, wait until every layer is drawn, and write the page as PNG to ``out``."""
    driver = chrome()
    try:
        driver.get(url)
        wait_for(driver, DRAWN, timeout)
        error = driver.execute_script("return window.muonreach.lastError")
        if error:
            raise InvalidParameter(f"the explorer page shows an error: {error}")
        time.sleep(0.3)  # the last traces' transition
        return write_bytes(out, driver.get_screenshot_as_png())
    finally:
        driver.quit()


__all__ = ["chrome", "screenshot", "wait_for"]
