; Inno Setup 6 script for Vision Workbench (Windows, per-machine install).
; Not built on the Linux build machine: keep it correct by reading. Build on Windows after
;   python packaging\build.py --flavour cpu|gpu|gpu-cu12 [--windowed]
; with
;   iscc /DFlavour=cpu packaging\windows\VisionWorkbench.iss
;   iscc /DFlavour=gpu packaging\windows\VisionWorkbench.iss     (> 2 GB: DiskSpanning, .exe + .bin files)
; Output: dist\installer\VisionWorkbench-<version>-<flavour>-setup.exe (+ -1.bin, -2.bin ... for gpu).
; Before building, put Microsoft's vc_redist.x64.exe (https://aka.ms/vs/17/release/vc_redist.x64.exe)
; beside this file: the target PCs are offline, the runtime must be inside the installer.
;
; The DLLs the one-folder bundle (dist\<flavour>\VisionWorkbench\) must hold are listed in
; docs/PACKAGING.md ("Windows installer"). In short: VisionWorkbench.exe, _internal\python311.dll,
; VCRUNTIME140.dll, VCRUNTIME140_1.dll, MSVCP140.dll, MSVCP140_1.dll, onnxruntime\capi\
; onnxruntime_pybind11_state.pyd + onnxruntime_providers_shared.dll, PySide6\Qt6Core/Gui/Widgets/OpenGL.dll,
; PySide6\plugins\platforms\qwindows.dll, cv2\cv2.pyd + opencv_videoio_ffmpeg*_64.dll; gpu flavour:
; onnxruntime_providers_cuda.dll and nvidia\cu13\bin\x86_64\ cudart64_13.dll, cublas64_13.dll,
; cublasLt64_13.dll, cufft64_12.dll, curand64_10.dll, nvrtc64_130_0.dll, nvJitLink_130_0.dll,
; nvidia\cudnn\bin\ cudnn64_9.dll + cudnn_*64_9.dll (gpu-cu12: nvidia\<component>\bin\ *64_12.dll,
; cufft64_11.dll). Never nvcuda.dll: the NVIDIA driver's, from the PC (driver >= 580 for gpu, >= 525 for
; gpu-cu12); without one the app runs on CPU and `VisionWorkbench self-test` says why.

#ifndef Flavour
  #define Flavour "cpu"
#endif
#define AppName "Vision Workbench"
#define AppExe "VisionWorkbench.exe"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define Bundle "..\..\dist\" + Flavour + "\VisionWorkbench"

[Setup]
; One AppId for all flavours: installing gpu over cpu replaces it (same folder, one uninstall entry).
AppId={{6B0B3C52-8F0E-4E55-9A57-2C8F1E0A7D11}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion} ({#Flavour})
AppPublisher=Vision Workbench
DefaultDirName={autopf}\Vision Workbench
DefaultGroupName={#AppName}
; per-machine: Program Files, all users' Start menu, needs elevation
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist\installer
OutputBaseFilename=VisionWorkbench-{#AppVersion}-{#Flavour}-setup
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} ({#Flavour})
Compression=lzma2/max
SolidCompression=yes
LZMANumBlockThreads=4
WizardStyle=modern
DisableProgramGroupPage=yes
CloseApplications=yes
; Setup.exe cannot exceed ~2 GB of embedded data: the gpu flavours span disks (setup.exe + .bin
; files that must stay beside it). DiskSliceSize max is 2100000000 bytes.
#if Pos("gpu", Flavour) > 0
DiskSpanning=yes
DiskSliceSize=2000000000
SlicesPerDisk=1
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
; Simplified Chinese is not among the translations every Inno Setup installation has: used when present
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An update or a change of flavour (gpu over cpu, cpu over gpu) starts from a clean bundle: no DLL of an
; older version or of the other flavour may stay behind to be loaded.
Type: filesandordirs; Name: "{app}\_internal"

[Dirs]
; The machine-wide credential file (engineering / admin password hashes) lives here: created by an
; administrator (`VisionWorkbench password set` from an elevated prompt), readable by every account and
; writable by none of the operators' (a file an administrator creates here inherits Users: read). Kept on
; uninstall: the passwords outlive an update. See docs/SECURITY.md.
Name: "{commonappdata}\VisionWorkbench"; Permissions: users-readexec; Flags: uninsneveruninstall

[Files]
; The whole one-folder bundle. ignoreversion: the app's own DLLs always replace older copies.
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; Microsoft Visual C++ 2015-2022 Redistributable (x64), downloaded by the release engineer from
; https://aka.ms/vs/17/release/vc_redist.x64.exe into packaging\windows\ before building
; (the target PCs are offline: it must be inside the installer). Unpacked only when needed.
Source: "vc_redist.x64.exe"; DestDir: "{tmp}"; Flags: deleteafterinstall; Check: VCRedistNeeded

[Icons]
; Per-machine shortcuts for every user: the working folder is the user's own profile, left to Windows to
; expand when the shortcut starts (like cmd.exe's "%HOMEDRIVE%%HOMEPATH%"); {userdocs} would be the
; installing administrator's Documents for everyone.
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "%USERPROFILE%"
; cmd /k strips the first and the last quote of its command line when it has more than two: the whole
; command is wrapped in one more pair, so cmd runs  "...\VisionWorkbench.exe" self-test --json "...json"
Name: "{group}\{#AppName} self-test"; Filename: "{cmd}"; \
  Parameters: "/k """"{app}\{#AppExe}"" self-test --json ""%TEMP%\workbench-selftest.json"""""; WorkingDir: "%USERPROFILE%"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "%USERPROFILE%"; Tasks: desktopicon

[Run]
; VC++ runtime first (quiet, no restart; 3010 = installed, restart pending: fine for us)
Filename: "{tmp}\vc_redist.x64.exe"; Parameters: "/install /quiet /norestart"; \
  StatusMsg: "Installing the Microsoft Visual C++ runtime..."; Check: VCRedistNeeded; Flags: waituntilterminated
; Check the installation; the report stays beside the app for the service engineer (removed on uninstall)
Filename: "{app}\{#AppExe}"; Parameters: "self-test --json ""{app}\install-selftest.json"""; \
  StatusMsg: "Checking the installation..."; Flags: runhidden waituntilterminated skipifdoesntexist
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; only what the installer or the app wrote inside its own folder (user data in %LOCALAPPDATA%\VisionWorkbench
; is kept)
Type: files; Name: "{app}\install-selftest.json"
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
// The VC++ 2015-2022 x64 runtime is new enough when this key says Installed=1, version 14.40 or later:
// onnxruntime and Qt are built with Visual Studio 2022 17.10+, whose DLLs crash with an older msvcp140.dll
// (std::mutex). An older 14.x is upgraded in place by the bundled vc_redist.
function VCRedistNeeded(): Boolean;
var
  Installed, Major, Minor: Cardinal;
  Key: String;
begin
  Result := True;
  Key := 'SOFTWARE\Microsoft\VisualStudio\14.0\VC\Runtimes\x64';
  if RegQueryDWordValue(HKLM64, Key, 'Installed', Installed) and
     RegQueryDWordValue(HKLM64, Key, 'Major', Major) and
     RegQueryDWordValue(HKLM64, Key, 'Minor', Minor) then
    Result := not ((Installed = 1) and ((Major > 14) or ((Major = 14) and (Minor >= 40))));
end;
