; Inno Setup 6 script for Vision Workbench (Windows, per-machine install).
; Not built on the Linux build machine: keep it correct by reading. Build on Windows after
;   python packaging\build.py --flavour cpu|gpu|gpu-cu12 [--windowed]
; with
;   iscc /DFlavour=cpu packaging\windows\VisionWorkbench.iss
;   iscc /DFlavour=gpu packaging\windows\VisionWorkbench.iss     (> 2 GB: DiskSpanning, .exe + .bin files)
; Output: dist\installer\VisionWorkbench-<version>-<flavour>-setup.exe (+ -1.bin, -2.bin ... for gpu).
;
; The one-folder bundle it packs (dist\<flavour>\VisionWorkbench\) holds, besides the app:
;   VisionWorkbench.exe, _internal\python311.dll, _internal\VCRUNTIME140.dll, VCRUNTIME140_1.dll,
;   MSVCP140.dll (+ MSVCP140_1.dll, MSVCP140_2.dll, CONCRT140.dll from onnxruntime/Qt),
;   _internal\onnxruntime\capi\onnxruntime.dll, onnxruntime_providers_shared.dll,
;   _internal\PySide6\Qt6Core.dll, Qt6Gui.dll, Qt6Widgets.dll, plugins\platforms\qwindows.dll,
;   _internal\cv2\opencv_videoio_ffmpeg*_64.dll, _internal\resources\..., _internal\models\ppocr\...
; gpu flavour only (from the onnxruntime-gpu[cuda,cudnn] wheels, CUDA 13 + cuDNN 9):
;   _internal\onnxruntime\capi\onnxruntime_providers_cuda.dll
;   _internal\nvidia\cu13\bin\cudart64_13.dll, cublas64_13.dll, cublasLt64_13.dll, cufft64_12.dll,
;   curand64_10.dll, nvrtc64_130_0.dll, nvrtc-builtins64_130.dll, nvJitLink_130_0.dll
;   _internal\nvidia\cudnn\bin\cudnn64_9.dll, cudnn_graph64_9.dll, cudnn_ops64_9.dll, cudnn_cnn64_9.dll,
;   cudnn_adv64_9.dll, cudnn_heuristic64_9.dll, cudnn_engines_precompiled64_9.dll,
;   cudnn_engines_runtime_compiled64_9.dll
; gpu-cu12 flavour: the same under nvidia\<package>\bin with the 12 names (cudart64_12.dll,
;   cublas64_12.dll, cublasLt64_12.dll, cufft64_11.dll, curand64_10.dll, cudnn64_9.dll ...).
; Never in any flavour: nvcuda.dll (the NVIDIA driver's, from the PC).
; The GPU needs an NVIDIA driver >= 580 (gpu) or >= 525 (gpu-cu12); without one the app runs on
; CPU and `VisionWorkbench self-test` says why.

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
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
; The whole one-folder bundle. ignoreversion: the app's own DLLs always replace older copies.
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; Microsoft Visual C++ 2015-2022 Redistributable (x64), downloaded by the release engineer from
; https://aka.ms/vs/17/release/vc_redist.x64.exe into packaging\windows\ before building
; (the target PCs are offline: it must be inside the installer).
Source: "vc_redist.x64.exe"; DestDir: "{tmp}"; Flags: deleteafterinstall

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"
Name: "{group}\{#AppName} self-test"; Filename: "{cmd}"; \
  Parameters: "/k ""{app}\{#AppExe}"" self-test --json ""%TEMP%\workbench-selftest.json"""; WorkingDir: "{userdocs}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
; VC++ runtime first (quiet, no restart; 3010 = installed, restart pending: fine for us)
Filename: "{tmp}\vc_redist.x64.exe"; Parameters: "/install /quiet /norestart"; \
  StatusMsg: "Installing the Microsoft Visual C++ runtime..."; Check: VCRedistNeeded; Flags: waituntilterminated
; Check the installation (writes the report into the user's temp folder)
Filename: "{app}\{#AppExe}"; Parameters: "self-test --json ""{tmp}\selftest.json"""; \
  StatusMsg: "Checking the installation..."; Flags: runhidden waituntilterminated skipifdoesntexist
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; only what the app wrote inside its own folder (user data in %LOCALAPPDATA%\VisionWorkbench is kept)
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
// The VC++ 2015-2022 x64 runtime is installed when this key says Installed=1 with major 14.
function VCRedistNeeded(): Boolean;
var
  Installed, Major: Cardinal;
begin
  Result := True;
  if RegQueryDWordValue(HKLM64, 'SOFTWARE\Microsoft\VisualStudio\14.0\VC\Runtimes\x64', 'Installed', Installed) and
     RegQueryDWordValue(HKLM64, 'SOFTWARE\Microsoft\VisualStudio\14.0\VC\Runtimes\x64', 'Major', Major) then
    Result := not ((Installed = 1) and (Major >= 14));
end;
