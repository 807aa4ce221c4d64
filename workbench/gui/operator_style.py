"""The operator screen's style sheet (dark, sized for the screen). Its dialogs (password, NG frame)
are dark too, whatever the engineering window's theme: with the light theme they were near-white
text on light grey."""

from __future__ import annotations

from workbench.gui.theme import NG_COLOR, OK_COLOR, WARN_COLOR


def style(scale: float = 1.0) -> str:
    """The screen's style sheet; sizes follow ``scale`` (1.0 at 1920x1080, smaller on small screens)."""

    def px(x: float) -> int:
        return max(1, round(x * scale))

    return f"""
#operator {{ background: #15171b; }}
QLabel {{ color: #dfe3e8; }}
#topbar {{ background: #1e2126; border-bottom: 1px solid #2c3037; }}
QLabel#title {{ font-size: 22px; font-weight: 600; }}
QLabel#subtitle {{ font-size: 13px; color: #8a8f98; }}
QLabel#state {{ font-size: 15px; font-weight: 600; padding: 6px 14px; border-radius: 14px; }}
QLabel#rate, QLabel#clock {{ font-size: 15px; color: #b8bdc5; }}
QLabel#clock {{ font-size: 18px; font-weight: 600; color: #dfe3e8; }}
#panel {{ background: #1b1e23; border-left: 1px solid #2c3037; }}
QLabel#verdict {{ font-size: {px(120)}px; font-weight: 800; color: white; border-radius: 14px; }}
QLabel#verdictInfo {{ font-size: 14px; color: #b8bdc5; }}
QLabel#verdictReasons {{ font-size: {max(13, px(16))}px; color: #f0f2f5; }}
#tile {{ background: #22262c; border-radius: 10px; }}
QLabel#caption {{ font-size: 12px; font-weight: 600; color: #8a8f98; letter-spacing: 1px; }}
QLabel#total, QLabel#ok, QLabel#ng, QLabel#yield {{ font-size: {px(40)}px; font-weight: 700; }}
QLabel#ok {{ color: {OK_COLOR}; }}
QLabel#ng {{ color: {NG_COLOR}; }}
QLabel#errors {{ font-size: 13px; color: {WARN_COLOR}; }}
QLabel#section {{ font-size: 12px; font-weight: 600; color: #8a8f98; letter-spacing: 1px; }}
#strip {{ background: #1b1e23; border-top: 1px solid #2c3037; }}
QFrame#thumb {{ background: #22262c; border: 2px solid #2c3037; border-radius: 6px; }}
QFrame#thumb:hover {{ border-color: {NG_COLOR}; }}
QLabel#thumbCaption {{ color: #b8bdc5; font-size: 12px; }}
QLabel#noNg {{ color: #6c717a; font-size: 14px; }}
QLabel#dialogTitle {{ font-size: 19px; font-weight: 600; }}
QDialog#passwordDialog, QDialog#ngDialog {{ background: #1e2126; }}
QDialog#passwordDialog QLineEdit {{ font-size: 16px; padding: 8px; background: #2d3138; color: #f0f2f5;
                                    border: 1px solid #3a3f47; border-radius: 6px; }}
QDialog#passwordDialog QPushButton, QDialog#ngDialog QPushButton {{ font-size: 15px; padding: 8px 16px;
    background: #2d3138; color: #dfe3e8; border: 1px solid #3a3f47; border-radius: 6px; }}
QDialog#passwordDialog QPushButton:disabled {{ color: #5c6169; background: #23262b; }}
QLabel#ngCaption {{ font-size: 16px; font-weight: 600; }}
#operator QPushButton {{ font-size: {px(17)}px; font-weight: 600; padding: {px(12)}px {px(18)}px; border-radius: 8px;
                         background: #2d3138; color: #dfe3e8; border: 1px solid #3a3f47; }}
#operator QPushButton:hover {{ background: #353a42; }}
#operator QPushButton:disabled {{ color: #5c6169; background: #23262b; border-color: #2c3037; }}
#operator QPushButton#start:enabled {{ background: #1f7a4a; border-color: #25905a; color: white; }}
#operator QPushButton#stop:enabled {{ background: #8a2c30; border-color: #a3363b; color: white; }}
#operator QPushButton#engineering {{ font-size: 14px; padding: 8px 14px; }}
#operator QComboBox {{ font-size: 13px; padding: 3px 8px; }}
"""

